package dev.kbsync.coordinator;

import dev.kbsync.stop.StopDeadline;
import dev.kbsync.stop.StopOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator's stop, then its Vert.x's close, within one deadline ({@code shutdown.timeoutSeconds}). Past it, one
 * WARN names what had not finished and the caller exits anyway ({@link StopOutcome#EXIT_PAST_BOUND}): jobs accepted
 * into Redis are there, jobs in the degraded-mode journal are on disk and restored at the next start. Blocks its
 * caller: never run it on an event loop.
 */
public final class BoundedStop {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedStop.class);

    private BoundedStop() {}

    /** Stops {@code coordinator}, then closes {@code vertx}, both within {@code bound}; a past bound is logged. */
    public static StopOutcome stop(Coordinator coordinator, Vertx vertx, Duration bound) {
        StopDeadline deadline = StopDeadline.after(bound);
        LOG.info("stopping: no new requests, draining those under way (at most {} s in all)", bound.toSeconds());
        if (!finished(deadline, coordinator.stop(), "the coordinator's stop")) {
            List<String> unfinished = new ArrayList<>(coordinator.stopUnderWay());
            unfinished.add("Vert.x's close (not begun)");
            return pastBound(bound, unfinished, coordinator.journalNote());
        }
        if (!finished(deadline, vertx.close(), "Vert.x's close")) {
            return pastBound(bound, List.of("Vert.x's close"), coordinator.journalNote());
        }
        LOG.info("stopped in {} ms", deadline.took().toMillis());
        return new StopOutcome.Stopped(deadline.took());
    }

    /** Whether {@code step} completed before the deadline (a failed step is logged and counts as finished). */
    private static boolean finished(StopDeadline deadline, Future<Void> step, String what) {
        boolean finished = deadline.finished(step);
        if (step.failed()) {
            LOG.warn("{} failed: {}", what, step.cause().toString());
        }
        return finished;
    }

    private static StopOutcome pastBound(Duration bound, List<String> unfinished, String journal) {
        LOG.warn(
                "stop did not finish within {} s (shutdown.timeoutSeconds): still under way: {}; exiting anyway."
                        + " Jobs accepted into Redis stay there{}",
                bound.toSeconds(),
                String.join(", ", unfinished),
                journal);
        return new StopOutcome.PastBound(bound, unfinished);
    }
}
