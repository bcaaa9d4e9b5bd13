package dev.kbsync.api.client;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@link Transport}'s move to another coordinator when one stops answering ({@link Endpoints}): which exchanges may be
 * tried again elsewhere, the failures that mean nothing was sent, and the probes that lead back to a preferred
 * coordinator once it is ready again.
 */
final class Failover {
    private static final String PROBE_PATH = "/readyz";

    /**
     * The 503 codes about one job or KB on the coordinator that answered, not about the coordinator: each is a refusal
     * before anything was done, so the call is sent to that coordinator again, {@link #repeatable} or not.
     * {@code JOB_RESTORING}: a job accepted in degraded mode, which only that coordinator knows until it is in Redis
     * (another answers 404); {@code SNAPSHOT_BEHIND}, {@code SNAPSHOT_UNAVAILABLE}: its snapshot of one KB. Every
     * other 503 ({@code REDIS_UNAVAILABLE}, {@code COORDINATOR_STOPPING}, {@code REPLICATION_TIMEOUT},
     * {@code JOURNAL_UNAVAILABLE}, {@code JOURNAL_DRAINING}, {@code READS_BUSY}: its read threads, a proxy's) is the coordinator's, and moves the
     * client.
     */
    private static final Set<String> HERE =
            Set.of(ErrorCodes.JOB_RESTORING, ErrorCodes.SNAPSHOT_BEHIND, ErrorCodes.SNAPSHOT_UNAVAILABLE);

    /** The pause before a call refused for one job or KB without {@code Retry-After} is sent again. */
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** The shortest such pause, whatever {@code Retry-After} said (a proxy's 0 would send it again at once). */
    private static final Duration RETRY_FLOOR = Duration.ofMillis(100);

    /** The least time left for an answer for which a refused call is sent again. */
    private static final Duration MIN_WAIT = Duration.ofMillis(100);

    private final Vertx vertx;
    private final Endpoints endpoints;
    private final Connections connections;
    private final Duration connectTimeout;

    Failover(Vertx vertx, Endpoints endpoints, Connections connections, Duration connectTimeout) {
        this.vertx = vertx;
        this.endpoints = endpoints;
        this.connections = connections;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Whether a call can be sent to another coordinator after a 503, which does not mean nothing was done: a step whose
     * answer came late, or that a replica did not confirm in time, ran. Reads, puts, a submit with its idempotency key,
     * a job's retry (its key is the old job's id) and the lease and worker calls that are idempotent by design can
     * (a lease's release among them: safe twice); a submit without a key (a second job), a cancel (a second one
     * answers 409), a KB's removal (a second one answers 404), an admin's force-release (it would end the next
     * holder's grant) and a group commit's extend (it would take more notes) cannot.
     */
    static boolean repeatable(HttpMethod method, String path, String idempotencyKey) {
        if (method == HttpMethod.GET || method == HttpMethod.PUT || method == HttpMethod.HEAD) {
            return true;
        }
        if (method == HttpMethod.DELETE) {
            return !path.startsWith("/v1/jobs/") && !path.startsWith("/v1/kbs/");
        }
        if (path.endsWith("/notes") || path.endsWith("/agent-tasks")) {
            return idempotencyKey != null;
        }
        return !path.endsWith("/force-release") && !path.endsWith("/extend");
    }

    /**
     * Runs {@code exchange} with the coordinator in use, within {@code budget} (the time its answer may take; zero: a
     * refusal for one job or KB is not sent again here, the caller retries it). When it gets no usable answer
     * (unreachable, timed out, 503 of the coordinator's own) the client moves to the next coordinator; the exchange
     * is tried there at once when the first one surely did not act on it (no connection), or answered 503 to a
     * {@code repeatable} call, each coordinator at most once. A 503 about one job or KB on that coordinator
     * ({@link #HERE}) does not move the client: the exchange is sent to the same coordinator again after its
     * {@code Retry-After} when that leaves time within the budget, else it fails with that 503. Other failures, and
     * failures after the request went out (a reset, a timeout: it may have been acted on), are the caller's: its
     * retries go to the coordinator the client is on by then. A due probe of preferred coordinators is started first.
     */
    <T> Future<T> run(boolean repeatable, Duration budget, Exchange<T> exchange) {
        Call<T> call = new Call<>(repeatable, budget, System.nanoTime() + budget.toNanos(), exchange);
        return run(call, endpoints.current(), 1, false, budget);
    }

    /**
     * One attempt of {@code call} with {@code at}, whose answer may take {@code wait}. {@code resent}: the exchange
     * was sent again after a 408 (the request did not arrive whole in time, so nothing was done: sent again once, to
     * the same coordinator, whether {@code repeatable} or not; the coordinator is not at fault).
     */
    private <T> Future<T> run(Call<T> call, Endpoint at, int tried, boolean resent, Duration wait) {
        if (tried == 1 && !resent) {
            probe();
        }
        return EventLoops.start(() -> call.exchange().apply(at, wait)).recover(failure -> {
            if (!resent && failure instanceof KbsyncException.InvalidRequest timedOut && timedOut.status() == 408) {
                return run(call, at, tried, true, wait);
            }
            if (failure instanceof PoolBusy busy) { // this client's own limit: the coordinator is not at fault
                return Future.failedFuture(new KbsyncException.TimedOut(
                        "no free connection to the coordinator at " + at.url() + ": " + busy.getMessage(),
                        busy.getCause()));
            }
            boolean notSent = failure instanceof NotSent;
            KbsyncException error = KbsyncException.failed(notSent ? failure.getCause() : failure, at.url());
            if (error instanceof KbsyncException.ServiceUnavailable refused && HERE.contains(refused.code())) {
                return retryHere(call, at, tried, resent, refused);
            }
            if (error instanceof KbsyncException.Unreachable
                    || error instanceof KbsyncException.TimedOut
                    || error instanceof KbsyncException.ServiceUnavailable) {
                Endpoint next = endpoints.failed(at, error.getMessage());
                boolean again = notSent || (call.repeatable() && error instanceof KbsyncException.ServiceUnavailable);
                if (again && tried < endpoints.size()) {
                    return run(call, next, tried + 1, resent, call.budget());
                }
            }
            return Future.failedFuture(error);
        });
    }

    /**
     * {@code call} refused by {@code at} for one job or KB ({@link #HERE}): sent to it again after the pause its
     * {@code Retry-After} asks for (1 s without one, at least 0.1 s) if the call's budget leaves time for an answer
     * after it, else failed with {@code refused}. The client stays on {@code at}.
     */
    private <T> Future<T> retryHere(
            Call<T> call, Endpoint at, int tried, boolean resent, KbsyncException.ServiceUnavailable refused) {
        Duration pause = refused.retryAfter().orElse(RETRY);
        if (pause.compareTo(RETRY_FLOOR) < 0) {
            pause = RETRY_FLOOR;
        }
        long left = call.deadline() - System.nanoTime() - pause.toNanos();
        if (left < MIN_WAIT.toNanos()) {
            return Future.failedFuture(refused);
        }
        Promise<T> answered = Promise.promise();
        vertx.setTimer(
                pause.toMillis(),
                t -> run(call, at, tried, resent, Duration.ofNanos(left)).onComplete(answered));
        return answered.future();
    }

    /**
     * The request once a connection took it; a failure to get one (nothing sent) is a {@link NotSent}, or a
     * {@link PoolBusy} when every connection of this client's {@code pool} stayed in use for the request's whole wait
     * (a TCP connect that timed out fails otherwise: {@code ConnectTimeoutException} is no {@link TimeoutException}).
     */
    static Future<HttpClientResponse> sent(
            Future<HttpClientRequest> connected,
            String pool,
            Function<HttpClientRequest, Future<HttpClientResponse>> send) {
        return connected
                .recover(cause -> Future.failedFuture(
                        cause instanceof TimeoutException ? new PoolBusy(cause, pool) : new NotSent(cause)))
                .compose(send);
    }

    /** A failure of an exchange that never went out (no connection could be had): left for the next coordinator. */
    static <T> Future<T> notSent(Throwable cause) {
        return Future.failedFuture(new NotSent(cause));
    }

    /** Probes the coordinators preferred to the current one when due, most preferred first; one that is ready wins. */
    private void probe() {
        List<Endpoint> due = endpoints.probeDue();
        if (!due.isEmpty()) {
            probe(due, 0);
        }
    }

    private void probe(List<Endpoint> due, int i) {
        if (i >= due.size()) {
            return;
        }
        Endpoint at = due.get(i);
        RequestOptions request =
                connections.request(at, HttpMethod.GET, PROBE_PATH).setIdleTimeout(connectTimeout.toMillis());
        connections
                .calls()
                .request(request)
                .compose(HttpClientRequest::send)
                .compose(response -> response.body().map(b -> response.statusCode()))
                .onComplete(status -> {
                    if (status.succeeded() && status.result() / 100 == 2) {
                        endpoints.answered(at);
                    } else {
                        probe(due, i + 1);
                    }
                });
    }

    /** An exchange with one coordinator whose answer may take {@code wait}. */
    @FunctionalInterface
    interface Exchange<T> {
        Future<T> apply(Endpoint at, Duration wait);
    }

    /**
     * A call run by {@link #run(boolean, Duration, Exchange)}: the time its answer may take on each coordinator
     * ({@code budget}), and that time counted from the call's start ({@code deadline}, nanoTime): a call refused for
     * one job or KB is sent to that coordinator again only before it.
     */
    private record Call<T>(boolean repeatable, Duration budget, long deadline, Exchange<T> exchange) {}

    /** Every connection of the client's pool stayed busy (with other calls or streams) for a request's whole wait. */
    private static final class PoolBusy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PoolBusy(Throwable cause, String pool) {
            super(
                    "all of this client's connections stayed in use (" + pool + "): " + cause.getMessage(),
                    cause,
                    false,
                    false);
        }
    }

    /** A request that never went out: no connection could be had. */
    private static final class NotSent extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotSent(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
