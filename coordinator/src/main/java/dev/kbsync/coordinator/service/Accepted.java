package dev.kbsync.coordinator.service;

import dev.kbsync.api.Job;

/** A submission's answer: the job, and whether it is an earlier job the submission duplicated (the KB's window). */
public record Accepted(Job job, boolean duplicate) {}
