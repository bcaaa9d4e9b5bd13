package dev.kbsync.api.client;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link AsyncKbsyncClient#awaitJob}: a job followed on its event stream until its last event. Within the wait's
 * timeout a stream that cannot be had or ends early for want of a usable answer (a 503, a coordinator that stops and
 * closes its streams, a {@code SLOW_CONSUMER} error event, a connection cut or silent for the idle timeout, a stream
 * that ends before the job's final state) is opened again after a short pause, the job read first so that a final
 * state reached meanwhile is not missed. The read and the stream go through {@link Failover}, so the client moves to
 * another coordinator as its rules say (a stopping coordinator answers 503 COORDINATOR_STOPPING or refuses the
 * connection). Only a definite answer (4xx, an answer that is not kbsync's) or the timeout ends the wait with an error.
 */
final class JobWait {
    /**
     * The first pause before a job's stream (or read) is tried again, when no {@code Retry-After} says otherwise; it
     * doubles with each failure of the same wait, up to {@link #STREAM_RETRY_MAX}.
     */
    private static final Duration STREAM_RETRY = Duration.ofMillis(250);

    private static final Duration STREAM_RETRY_MAX = Duration.ofSeconds(5);

    /** The shortest such pause, whatever {@code Retry-After} said (a proxy's 0 would retry at once, again and again). */
    private static final Duration STREAM_RETRY_FLOOR = Duration.ofMillis(100);

    /**
     * The share of a pause added at random, so that the waits of many bots whose streams a coordinator's stop ended
     * together do not all come back at the same moment.
     */
    private static final double JITTER = 0.25;

    private final Requests requests;

    JobWait(Requests requests) {
        this.requests = requests;
    }

    /** See {@link AsyncKbsyncClient#awaitJob}. */
    Future<Job> await(String jobId, Duration timeout) {
        return start(jobId, timeout).future();
    }

    /** A wait under way: its outcome, and {@link #abandon} for a caller that stops waiting first. */
    interface Handle {
        Future<Job> future();

        /** Ends the wait with {@code why}: its stream closed, nothing opened again. */
        void abandon(Throwable why);
    }

    /** Starts a wait for {@code jobId}, {@code timeout} at most. */
    Handle start(String jobId, Duration timeout) {
        Wait wait = new Wait(jobId, timeout);
        long timer = requests.transport().setTimer(Math.max(1, timeout.toMillis()), t -> wait.timedOut(null));
        wait.open();
        Future<Job> future =
                wait.done.future().onComplete(r -> requests.transport().vertx().cancelTimer(timer));
        return new Handle() {
            @Override
            public Future<Job> future() {
                return future;
            }

            @Override
            public void abandon(Throwable why) {
                wait.done.tryFail(why);
            }
        };
    }

    /** One wait for one job. */
    private final class Wait {
        private final String jobId;
        private final Duration timeout;
        private final long deadline;
        private final Promise<Job> done = Promise.promise();

        /**
         * The coordinator that answered the job's stream 503 JOB_RESTORING: the job is in its degraded journal, on its
         * way into Redis, and only it knows the job until then; another coordinator's 404 says nothing about it. Null
         * until then.
         */
        private volatile Endpoint restoringAt;

        /** The wait's failures so far: the pause without a Retry-After doubles with each. */
        private int failures;

        Wait(String jobId, Duration timeout) {
            this.jobId = jobId;
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        /** Reads the job, then (unless it finished meanwhile) opens its stream: each attempt after the first. */
        void readThenOpen() {
            if (done.future().isComplete()) {
                return;
            }
            requests.get(ApiPaths.job(jobId, ""), Job::fromJson).onComplete(read -> {
                if (read.failed()) {
                    again(read.cause());
                } else if (read.result().state().terminal()) {
                    done.tryComplete(read.result());
                } else {
                    open();
                }
            });
        }

        /** Opens the job's stream (its first event is the job's current state) and follows it to its last event. */
        void open() {
            if (done.future().isComplete()) {
                return;
            }
            requests.jobEvents(ApiPaths.job(jobId, "/events"), event -> {
                        if (event.last()) {
                            done.tryComplete(event.job());
                        }
                    })
                    .onFailure(this::again)
                    .onSuccess(stream -> {
                        done.future().onComplete(r -> stream.close());
                        stream.ended()
                                .onComplete(end -> again(
                                        end.failed()
                                                ? end.cause()
                                                : new KbsyncException.Unreachable(
                                                        "the event stream of job " + jobId
                                                                + " ended before the job finished",
                                                        null)));
                    });
        }

        /**
         * The read or the stream failed with {@code failure} (or the stream ended before the job): tried again after a
         * pause if that may yet give the job, else the wait fails with it; a pause past the deadline ends the wait
         * with the timeout's error.
         */
        private void again(Throwable failure) {
            if (done.future().isComplete()) {
                return;
            }
            if (failure instanceof KbsyncException.ServiceUnavailable refused
                    && ErrorCodes.JOB_RESTORING.equals(refused.code())) {
                restoringAt = requests.transport().endpoints().current(); // the client stays on it (Failover)
            }
            if (!worthAnother(failure)) {
                done.tryFail(failure);
                return;
            }
            Duration backoff = STREAM_RETRY.multipliedBy(1L << Math.min(failures++, 5));
            if (backoff.compareTo(STREAM_RETRY_MAX) > 0) {
                backoff = STREAM_RETRY_MAX;
            }
            Duration pause = failure instanceof KbsyncException.ServiceUnavailable unavailable
                    ? unavailable.retryAfter().orElse(backoff)
                    : backoff;
            long pauseMs = Math.max(STREAM_RETRY_FLOOR.toMillis(), pause.toMillis());
            pauseMs += (long) (pauseMs * JITTER * ThreadLocalRandom.current().nextDouble());
            if (Duration.ofMillis(pauseMs).compareTo(Duration.ofNanos(deadline - System.nanoTime())) >= 0) {
                timedOut(failure);
                return;
            }
            requests.transport().setTimer(pauseMs, t -> readThenOpen());
        }

        /**
         * Whether a failure leaves the job's outcome open: no usable answer ({@link KbsyncException.Unavailable}: a 503,
         * 5xx, a connection refused, cut or timed out, a stream ended early), or a 404 of another coordinator than the
         * one whose journal holds the job. Any other answer (401, 403, 404 from a coordinator that should know the job,
         * another 4xx, an answer that is not kbsync's) is definite.
         */
        private boolean worthAnother(Throwable failure) {
            if (failure instanceof KbsyncException.Unavailable) {
                return true;
            }
            Endpoint restoring = restoringAt;
            return failure instanceof KbsyncException.NotFound
                    && restoring != null
                    && !restoring.equals(requests.transport().endpoints().current());
        }

        /** The wait's time is up: it fails with the timeout's error ({@code last}: the failure that came last). */
        void timedOut(Throwable last) {
            String why = last == null ? "" : " (its event stream: " + last.getMessage() + ")";
            done.tryFail(new KbsyncException.TimedOut(
                    "job " + jobId + " did not finish within " + timeout.toMillis() + " ms" + why, last));
        }
    }
}
