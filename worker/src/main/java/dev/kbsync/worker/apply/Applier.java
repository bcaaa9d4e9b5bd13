package dev.kbsync.worker.apply;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbConfig;
import java.nio.file.Path;

/**
 * Turns a job into file changes in a checkout's work tree. It never touches {@code .git}, never commits, and leaves the
 * work tree unchanged when it returns {@link ApplyResult.Refused}. It may be called again for the same job after the
 * checkout was reset (push retry), so it must derive everything from the job and the current tree.
 */
public interface Applier {
    /** Applies {@code job} to {@code checkout}, the work tree of {@code kb} (whose registration says, e.g., where notes go). */
    ApplyResult apply(Path checkout, Job job, KbConfig kb);

    /**
     * As {@link #apply(Path, Job, KbConfig)}, cut short when {@code stop} fires (an agent is killed with its process
     * tree): then {@link ApplyResult.Refused} with the stop's code, the work tree unchanged. A name the applier chooses
     * itself (a note's, from its title) is not one {@code names} finds a twin of.
     */
    default ApplyResult apply(Path checkout, Job job, KbConfig kb, StopSignal stop, CaseIndex names) {
        return apply(checkout, job, kb);
    }
}
