package dev.kbsync.coordinator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator's stop, then its Vert.x's close, within one deadline ({@code shutdown.timeoutSeconds}). Past it, one
 * WARN names what had not finished and the caller exits anyway: jobs accepted into Redis are there, jobs in the
 * degraded-mode journal are on disk and restored at the next start. Blocks its caller: never run it on an event loop.
 */
public final class BoundedStop {
    /** The exit status of a coordinator process whose stop was cut short at its bound (as {@code timeout(1)}). */
    public static final int EXIT_PAST_BOUND = 124;

    private static final Logger LOG = LoggerFactory.getLogger(BoundedStop.class);

    private BoundedStop() {}

    /** How a stop ended. */
    public sealed interface Outcome {
        /** Everything stopped and closed within the bound. */
        record Stopped(Duration took) implements Outcome {}

        /** The bound passed first; {@code unfinished} names what was still under way. */
        record PastBound(Duration bound, List<String> unfinished) implements Outcome {}
    }

    /** Stops {@code coordinator}, then closes {@code vertx}, both within {@code bound}; a past bound is logged. */
    public static Outcome stop(Coordinator coordinator, Vertx vertx, Duration bound) {
        long started = System.nanoTime();
        long deadline = started + bound.toNanos();
        LOG.info("stopping: no new requests, draining those under way (at most {} s in all)", bound.toSeconds());
        if (!finished(coordinator.stop(), deadline, "the coordinator's stop")) {
            List<String> unfinished = new ArrayList<>(coordinator.stopUnderWay());
            unfinished.add("Vert.x's close (not begun)");
            return pastBound(bound, unfinished, coordinator.journalNote());
        }
        if (!finished(vertx.close(), deadline, "Vert.x's close")) {
            return pastBound(bound, List.of("Vert.x's close"), coordinator.journalNote());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("stopped in {} ms", took.toMillis());
        return new Outcome.Stopped(took);
    }

    /** Whether {@code step} completed before {@code deadline} (a failed step is logged and counts as finished). */
    private static boolean finished(Future<Void> step, long deadline, String what) {
        try {
            step.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (RuntimeException e) {
            LOG.warn("{} failed: {}", what, e.toString());
            return true;
        }
    }

    private static Outcome pastBound(Duration bound, List<String> unfinished, String journal) {
        LOG.warn(
                "stop did not finish within {} s (shutdown.timeoutSeconds): still under way: {}; exiting anyway."
                        + " Jobs accepted into Redis stay there{}",
                bound.toSeconds(),
                String.join(", ", unfinished),
                journal);
        return new Outcome.PastBound(bound, List.copyOf(unfinished));
    }
}
