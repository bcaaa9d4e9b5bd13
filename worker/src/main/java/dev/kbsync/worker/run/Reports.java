package dev.kbsync.worker.run;

import dev.kbsync.api.JobOutcome;
import dev.kbsync.worker.client.JobReport;
import java.util.List;

/** Maps a cycle outcome to the result reported for a job. */
final class Reports {
    private Reports() {}

    static JobReport of(String jobId, String leaseId, Outcome outcome) {
        if (outcome instanceof Outcome.Published p) {
            return new JobReport(jobId, new JobOutcome.Done(leaseId, p.commit(), p.files(), p.pushRejections()));
        }
        if (outcome instanceof Outcome.AlreadyPublished a) {
            return new JobReport(jobId, new JobOutcome.Done(leaseId, a.commit(), a.files(), a.pushRejections()));
        }
        if (outcome instanceof Outcome.Unchanged u) {
            return new JobReport(jobId, new JobOutcome.Done(leaseId, null, List.of(), u.pushRejections()));
        }
        Outcome.Failed failed = (Outcome.Failed) outcome;
        return new JobReport(jobId, new JobOutcome.Failed(leaseId, failed.error(), failed.pushRejections()));
    }
}
