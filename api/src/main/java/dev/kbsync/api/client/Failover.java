package dev.kbsync.api.client;

import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@link Transport}'s move to another coordinator when one stops answering ({@link Endpoints}): which exchanges may be
 * tried again elsewhere, the failures that mean nothing was sent, and the probes that lead back to a preferred
 * coordinator once it is ready again.
 */
final class Failover {
    private static final String PROBE_PATH = "/readyz";

    private final Endpoints endpoints;
    private final Connections connections;
    private final Duration connectTimeout;

    Failover(Endpoints endpoints, Connections connections, Duration connectTimeout) {
        this.endpoints = endpoints;
        this.connections = connections;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Whether a call can be sent to another coordinator after a 503, which does not mean nothing was done: a step whose
     * answer came late, or that a replica did not confirm in time, ran. Reads, puts, a submit with its idempotency key,
     * a job's retry (its key is the old job's id) and the lease and worker calls that are idempotent by design can; a submit without a key (a second job), a
     * cancel (a second one answers 409), an admin's force-release (it would end the next holder's grant) and a group
     * commit's extend (it would take more notes) cannot.
     */
    static boolean repeatable(HttpMethod method, String path, String idempotencyKey) {
        if (method == HttpMethod.GET || method == HttpMethod.PUT || method == HttpMethod.HEAD) {
            return true;
        }
        if (method == HttpMethod.DELETE) {
            return !path.startsWith("/v1/jobs/");
        }
        if (path.endsWith("/notes") || path.endsWith("/agent-tasks")) {
            return idempotencyKey != null;
        }
        return !path.endsWith("/force-release") && !path.endsWith("/extend");
    }

    /** {@link #run(Endpoint, int, boolean, Function)} starting with the coordinator in use. */
    <T> Future<T> run(boolean repeatable, Function<Endpoint, Future<T>> exchange) {
        return run(endpoints.current(), 1, repeatable, exchange);
    }

    /**
     * Runs {@code exchange} with the coordinator {@code at}. When it gets no usable answer (unreachable, timed out, 503)
     * the client moves to the next coordinator; the exchange is tried there at once when the first one surely did not
     * act on it (no connection), or answered 503 to a {@code repeatable} call, each coordinator at most once. Other
     * failures, and failures after the request went out (a reset, a timeout: it may have been acted on), are the
     * caller's: its retries go to the coordinator the client is on by then. A due probe of preferred coordinators is
     * started first.
     */
    private <T> Future<T> run(Endpoint at, int tried, boolean repeatable, Function<Endpoint, Future<T>> exchange) {
        return run(at, tried, repeatable, false, exchange);
    }

    /**
     * {@code resent}: the exchange was sent again after a 408 (the request did not arrive whole in time, so nothing
     * was done: sent again once, to the same coordinator, whether {@code repeatable} or not; the coordinator is not
     * at fault).
     */
    private <T> Future<T> run(
            Endpoint at, int tried, boolean repeatable, boolean resent, Function<Endpoint, Future<T>> exchange) {
        if (tried == 1 && !resent) {
            probe();
        }
        return EventLoops.start(() -> exchange.apply(at)).recover(failure -> {
            if (!resent && failure instanceof KbsyncException.InvalidRequest timedOut && timedOut.status() == 408) {
                return run(at, tried, repeatable, true, exchange);
            }
            if (failure instanceof PoolBusy busy) { // this client's own limit: the coordinator is not at fault
                return Future.failedFuture(new KbsyncException.TimedOut(
                        "no free connection to the coordinator at " + at.url() + ": " + busy.getMessage(),
                        busy.getCause()));
            }
            boolean notSent = failure instanceof NotSent;
            KbsyncException error = KbsyncException.failed(notSent ? failure.getCause() : failure, at.url());
            if (error instanceof KbsyncException.Unreachable
                    || error instanceof KbsyncException.TimedOut
                    || error instanceof KbsyncException.ServiceUnavailable) {
                Endpoint next = endpoints.failed(at, error.getMessage());
                boolean again = notSent || (repeatable && error instanceof KbsyncException.ServiceUnavailable);
                if (again && tried < endpoints.size()) {
                    return run(next, tried + 1, repeatable, resent, exchange);
                }
            }
            return Future.failedFuture(error);
        });
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
