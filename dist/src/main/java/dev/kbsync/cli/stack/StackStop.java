package dev.kbsync.cli.stack;

import dev.kbsync.coordinator.BoundedStop;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.stop.StopDeadline;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.worker.process.WorkerProcess;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole stop of an embedded stack within one bound, the workers' {@code shutdown.grace} plus the coordinator's
 * {@code shutdown.timeoutSeconds}: the workers drain (each within its grace, waited for until the bound less half the
 * coordinator's share; a worker whose own stop was cut short at its grace is named), then the
 * coordinator and Vert.x stop within the coordinator's bound or what is left, then the embedded Redis is shut down
 * ({@code SHUTDOWN}: its append-only file complete) within what is left, at least {@link #REDIS_AT_LEAST}, and killed
 * if still running. Whatever overran keeps running on daemon threads: the caller exits anyway, and every accepted job
 * is in Redis's append-only file. Blocks its caller: never run it on an event loop.
 */
final class StackStop {
    /** The least time the embedded Redis gets to stop by itself, even past the bound, before it is killed. */
    static final Duration REDIS_AT_LEAST = Duration.ofSeconds(3);

    private static final Logger log = LoggerFactory.getLogger(StackStop.class);

    private final StopDeadline deadline;
    private final Duration coordinatorBound;
    private final List<String> unfinished = new ArrayList<>();
    private boolean pastBound;
    private Duration boundHit;

    private StackStop(Duration workerGrace, Duration coordinatorBound) {
        this.deadline = StopDeadline.after(bound(workerGrace, coordinatorBound));
        this.coordinatorBound = coordinatorBound;
        this.boundHit = deadline.bound();
    }

    /** The bound of a whole stop: the workers' grace plus the coordinator's. */
    static Duration bound(Duration workerGrace, Duration coordinatorBound) {
        return workerGrace.plus(coordinatorBound);
    }

    /** Stops all that is not null, in order, within one bound; what overran is named in the outcome. */
    static StopOutcome run(
            Duration workerGrace,
            Duration coordinatorBound,
            List<WorkerProcess> workers,
            RemoteHousekeeping housekeeping,
            Coordinator coordinator,
            Vertx vertx,
            RedisProcess redis) {
        StackStop stop = new StackStop(workerGrace, coordinatorBound);
        log.info(
                "stopping kbsync: workers, coordinator, Redis (at most {} s in all)",
                stop.deadline.bound().toSeconds());
        stop.workers(workers);
        if (housekeeping != null) {
            housekeeping.close();
        }
        stop.coordinator(coordinator, vertx);
        stop.redis(redis);
        return stop.outcome();
    }

    /** The workers' stops side by side, each within its own {@code shutdown.grace}; one cut short is named. */
    private void workers(List<WorkerProcess> workers) {
        List<CompletableFuture<StopOutcome>> stops = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            stops.add(CompletableFuture.supplyAsync(workers.get(i)::stop, StackStop::daemon));
        }
        finished(
                CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)),
                deadline.leftBefore(coordinatorBound.dividedBy(2)));
        for (int i = 0; i < stops.size(); i++) {
            CompletableFuture<StopOutcome> stop = stops.get(i);
            if (!stop.isDone() // a failed stop was logged: it is over
                    || !stop.isCompletedExceptionally() && stop.join() instanceof StopOutcome.PastBound) {
                pastBound = true;
                unfinished.add("worker " + workers.get(i).id() + "'s drain");
            }
        }
    }

    private void coordinator(Coordinator coordinator, Vertx vertx) {
        Duration left = deadline.left();
        Duration given = left.compareTo(coordinatorBound) < 0 ? left : coordinatorBound;
        if (coordinator == null) { // a start that failed: no Redis client to wait for
            if (!finished(vertx.close().toCompletionStage().toCompletableFuture(), given)) {
                pastBound = true;
                unfinished.add("Vert.x's close");
            }
            return;
        }
        if (BoundedStop.stop(coordinator, vertx, given) instanceof StopOutcome.PastBound past) {
            if (!pastBound && given.equals(coordinatorBound)) {
                boundHit = coordinatorBound; // its own bound, not the whole stop's
            }
            pastBound = true;
            unfinished.addAll(past.unfinished());
        }
    }

    private void redis(RedisProcess redis) {
        if (redis == null) {
            return;
        }
        Duration left = deadline.left();
        if (!redis.close(left.compareTo(REDIS_AT_LEAST) > 0 ? left : REDIS_AT_LEAST)) {
            pastBound = true; // the whole stop, Redis included, overran: killed, not stopped
            unfinished.add("the embedded Redis's shutdown (killed)");
        }
    }

    private StopOutcome outcome() {
        Duration took = deadline.took();
        if (!pastBound) {
            log.info("kbsync stopped in {} ms", took.toMillis());
            return new StopOutcome.Stopped(took);
        }
        log.warn(
                "kbsync's stop did not finish within {} s; still under way: {}; exited anyway after {} ms. Accepted"
                        + " jobs are in the embedded Redis's append-only file: the next kbsync up in this data"
                        + " directory resumes them",
                boundHit.toSeconds(),
                String.join(", ", unfinished),
                took.toMillis());
        return new StopOutcome.PastBound(boundHit, List.copyOf(unfinished));
    }

    /** Whether {@code step} completed, succeeded or failed, within {@code within}. */
    private static boolean finished(CompletableFuture<?> step, Duration within) {
        try {
            step.get(within.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            log.warn("a step of the stop failed: {}", e.getCause().toString());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "kbsync-up-stop-worker");
        thread.setDaemon(true);
        thread.start();
    }
}
