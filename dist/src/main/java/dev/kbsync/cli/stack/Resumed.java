package dev.kbsync.cli.stack;

import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.coordinator.service.CoordinatorServices;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs a start of the stack found in Redis, left by an earlier run: {@code jobs} queued or running in all, of
 * which {@code running} held a grant (a job being worked on, with the members of its group commit).
 *
 * <p>With the embedded Redis, the grants of those running jobs are ended at once, before this run's workers start,
 * instead of after their lease TTL: the workers that held them ran inside the earlier {@code kbsync up}, which is
 * certainly dead because this process owns the Redis data directory (an OS file lock that a process holds until it
 * exits, however it exits). Ending them goes through the engine's normal path ({@code forceRelease}, the same
 * {@code release.lua} requeue as an expiry): each job goes back to queued at its own place at the head of its KB and
 * is granted again with a larger fencing token. A job whose commit already reached the remote is found by its
 * {@code Kbsync-Job} trailer and reported, not written twice. A worker outside this process that held such a grant
 * had no coordinator since the crash, so it was already in degraded mode (see operations.md); its late push is fenced
 * the same way. Raw leases are left to expire: their holders are outside this process.
 */
public record Resumed(int jobs, int running) {
    private static final Logger log = LoggerFactory.getLogger(Resumed.class);

    static Resumed find(CoordinatorServices services, boolean endGrantsOfThisDirectory) {
        List<QueueSnapshot> queues = services.queues().all().await();
        int jobs = 0;
        int running = 0;
        for (QueueSnapshot queue : queues) {
            boolean jobGranted = queue.holder().filter(Resumed::job).isPresent();
            int held = (jobGranted ? 1 : 0) + queue.running().size();
            running += held;
            jobs += held + (int) queue.waiters().stream().filter(Resumed::job).count();
            if (jobGranted && endGrantsOfThisDirectory) {
                log.info(
                        "KB {}: ending the grant of job {} (and {} group-commit member(s)) held by a worker of the"
                                + " previous run; it runs again",
                        queue.kb(),
                        queue.holder().get().jobId(),
                        queue.running().size());
                services.leases().forceRelease(queue.kb()).await();
            }
        }
        return new Resumed(jobs, running);
    }

    private static boolean job(QueueEntry entry) {
        return "job".equals(entry.kind());
    }

    /** {@code resumed 38 queued jobs (2 of them were running)}, or empty when there was nothing to resume. */
    public String summary() {
        if (jobs == 0) {
            return "";
        }
        return "resumed " + jobs + " queued job" + (jobs == 1 ? "" : "s")
                + (running == 0 ? "" : " (" + running + " of them " + (running == 1 ? "was" : "were") + " running)");
    }
}
