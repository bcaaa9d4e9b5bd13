package dev.kbsync.coordinator.job;

import dev.kbsync.kb.FileChange;
import dev.kbsync.kb.JobError;
import java.util.List;

/** What a worker reports for a job it ran under {@code leaseId}; {@code pushRejections} feeds the metrics. */
public sealed interface JobOutcome {
    String leaseId();

    int pushRejections();

    record Done(String leaseId, String commit, List<FileChange> files, int pushRejections) implements JobOutcome {}

    record Failed(String leaseId, JobError error, int pushRejections) implements JobOutcome {}
}
