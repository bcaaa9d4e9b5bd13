package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;

/** A job as stored, with the name of the token that submitted it ({@code submitter}; '' when unknown). */
public record OwnedJob(Job job, String submitter) {}
