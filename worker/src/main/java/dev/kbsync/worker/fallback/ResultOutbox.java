package dev.kbsync.worker.fallback;

import dev.kbsync.worker.client.CoordinatorClient;
import dev.kbsync.worker.client.CoordinatorException;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers job results; while the coordinator is unreachable it keeps retrying with backoff (capped) and never drops a
 * result. A result refused because the lease is gone is logged: the job already runs elsewhere and the exactly-once
 * check there finds this worker's commit.
 */
public final class ResultOutbox {
    private static final Logger log = LoggerFactory.getLogger(ResultOutbox.class);

    private final Vertx vertx;
    private final CoordinatorClient client;
    private final ModeTracker modes;
    private final RetryPolicy backoff;
    private final AtomicInteger pending = new AtomicInteger();

    public ResultOutbox(Vertx vertx, CoordinatorClient client, ModeTracker modes, RetryPolicy backoff) {
        this.vertx = vertx;
        this.client = client;
        this.modes = modes;
        this.backoff = backoff;
    }

    /** Delivers {@code report}; the future completes once the coordinator accepted or definitively refused it. */
    public Future<Void> deliver(JobReport report) {
        pending.incrementAndGet();
        Promise<Void> done = Promise.promise();
        attempt(report, 1, done);
        return done.future().onComplete(r -> pending.decrementAndGet());
    }

    /** Results not yet delivered. */
    public int pending() {
        return pending.get();
    }

    private void attempt(JobReport report, int attempt, Promise<Void> done) {
        client.report(report).onComplete(result -> {
            if (result.succeeded()) {
                modes.reachable();
                logDelivered(report, result.result());
                done.complete();
            } else if (result.cause() instanceof CoordinatorException.Unreachable) {
                modes.unreachable(result.cause().getMessage());
                Duration delay = backoff.delay(attempt);
                log.info("result of job {} not delivered yet; retry in {} ms", report.jobId(), delay.toMillis());
                vertx.setTimer(delay.toMillis(), id -> attempt(report, attempt + 1, done));
            } else {
                modes.reachable();
                log.warn(
                        "coordinator refused the result of job {}: {}",
                        report.jobId(),
                        result.cause().getMessage());
                done.complete();
            }
        });
    }

    private static void logDelivered(JobReport report, JsonObject job) {
        log.info(
                "reported job {} as {} (coordinator state {})",
                report.jobId(),
                report.done() ? "done" : "failed",
                job == null ? "?" : job.getString("state"));
    }
}
