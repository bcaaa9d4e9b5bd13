package dev.kbsync.api.client;

import dev.kbsync.api.Job;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;

/**
 * {@link AsyncKbsyncClient#awaitJob}: a job followed on its event stream until its last event, the stream opened
 * again after a 503 for as long as the timeout allows.
 */
final class JobWait {
    /** The pause before a job's stream answered 503 without {@code Retry-After} is opened again. */
    private static final Duration STREAM_RETRY = Duration.ofSeconds(1);

    /** The shortest such pause, whatever {@code Retry-After} said (a proxy's 0 would retry at once, again and again). */
    private static final Duration STREAM_RETRY_FLOOR = Duration.ofMillis(100);

    private final Requests requests;

    JobWait(Requests requests) {
        this.requests = requests;
    }

    /** See {@link AsyncKbsyncClient#awaitJob}. */
    Future<Job> await(String jobId, Duration timeout) {
        Promise<Job> done = Promise.promise();
        long deadline = System.nanoTime() + timeout.toNanos();
        long timer = requests.transport()
                .vertx()
                .setTimer(
                        Math.max(1, timeout.toMillis()),
                        t -> done.tryFail(new KbsyncException.TimedOut(
                                "job " + jobId + " did not finish within " + timeout.toMillis() + " ms", null)));
        follow(jobId, done, deadline);
        return done.future().onComplete(r -> requests.transport().vertx().cancelTimer(timer));
    }

    /** One attempt: the job's stream until its last event, or again after a 503. */
    private void follow(String jobId, Promise<Job> done, long deadline) {
        if (done.future().isComplete()) {
            return;
        }
        requests.jobEvents(ApiPaths.job(jobId, "/events"), event -> {
                    if (event.last()) {
                        done.tryComplete(event.job());
                    }
                })
                .onFailure(e -> {
                    Duration pause = e instanceof KbsyncException.ServiceUnavailable unavailable
                            ? unavailable.retryAfter().orElse(STREAM_RETRY)
                            : null;
                    if (pause == null || pause.compareTo(Duration.ofNanos(deadline - System.nanoTime())) >= 0) {
                        done.tryFail(e);
                    } else {
                        requests.transport()
                                .vertx()
                                .setTimer(
                                        Math.max(STREAM_RETRY_FLOOR.toMillis(), pause.toMillis()),
                                        t -> follow(jobId, done, deadline));
                    }
                })
                .onSuccess(stream -> {
                    stream.ended()
                            .onComplete(end -> done.tryFail(
                                    end.failed()
                                            ? end.cause()
                                            : new KbsyncException.Unreachable(
                                                    "the event stream of job " + jobId
                                                            + " ended before the job finished; wait again",
                                                    null)));
                    done.future().onComplete(r -> stream.close());
                });
    }
}
