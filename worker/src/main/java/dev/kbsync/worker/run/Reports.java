package dev.kbsync.worker.run;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.git.WebLinks;
import dev.kbsync.worker.client.JobReport;
import java.util.List;

/**
 * Maps a cycle outcome to the result reported for a job, with a link to its commit where the remote has one and the
 * applier's answer (an agent's output; for a job found already published, the answer of its agent if it ran in this
 * very cycle, whose push landed although it failed in transport: none if the commit was an earlier run's).
 */
final class Reports {
    private Reports() {}

    static JobReport of(Assignment assignment, Outcome outcome, String answer) {
        String jobId = assignment.job().id();
        String leaseId = assignment.lease().id();
        if (outcome instanceof Outcome.Published p) {
            return new JobReport(jobId, done(assignment, p.commit(), p.files(), p.pushRejections(), answer));
        }
        if (outcome instanceof Outcome.AlreadyPublished a) {
            return new JobReport(jobId, done(assignment, a.commit(), a.files(), a.pushRejections(), answer));
        }
        if (outcome instanceof Outcome.Unchanged u) {
            return new JobReport(
                    jobId, new JobOutcome.Done(leaseId, null, null, List.of(), u.pushRejections(), answer));
        }
        Outcome.Failed failed = (Outcome.Failed) outcome;
        return new JobReport(jobId, new JobOutcome.Failed(leaseId, failed.error(), failed.pushRejections()));
    }

    private static JobOutcome.Done done(
            Assignment assignment, String commit, List<FileChange> files, int rejections, String answer) {
        String link = WebLinks.commitUrl(assignment.kb().remote(), commit).orElse(null);
        return new JobOutcome.Done(assignment.lease().id(), commit, link, files, rejections, answer);
    }
}
