package dev.kbsync.worker.client;

import dev.kbsync.api.JobOutcome;

/** What a worker reports for one job: the job's id and the outcome it ran to. */
public record JobReport(String jobId, JobOutcome outcome) {
    public boolean done() {
        return outcome instanceof JobOutcome.Done;
    }
}
