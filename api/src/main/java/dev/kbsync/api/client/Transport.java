package dev.kbsync.api.client;

import dev.kbsync.api.ApiError;
import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place for HTTP: connections (one pool for calls, one for event streams, each per coordinator), the bearer
 * token, JSON in and out, error answers mapped to {@link KbsyncException}s, and the move to another coordinator when
 * one stops answering ({@link Endpoints}).
 *
 * <p>Every exchange is started on a Vert.x context of the client's instance, never on a foreign thread: from a plain
 * thread, {@code request()} can complete on the calling thread when a keep-alive connection is free, and a response
 * handler attached there races the event loop that delivers the response (a response that ends first leaves the call
 * pending forever). Started on the context, each step runs on its event loop before the next network event.
 * Callers on one of the instance's event loops run directly; a plain thread gets a context of its own (so concurrent
 * callers spread over the event loops), and each stream opened from a plain thread a new one.
 */
final class Transport {
    private static final String PROBE_PATH = "/readyz";
    /** The event a server ends a stream with when it gives up on it: its data is an {@code {"error":{...}}}. */
    private static final String ERROR_EVENT = "error";
    /**
     * How long an idle connection is kept for the next call, in seconds: well below the coordinator's default
     * http.requestReadSeconds (60), so the client lets an idle connection go before the coordinator closes it under a
     * call just being sent.
     */
    private static final int KEEP_ALIVE_SECONDS = 20;

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final ClientOptions options;
    private final Endpoints endpoints;
    private final HttpClient calls;
    private final HttpClient streams;
    private final WebSocketClient webSockets;
    private final String authorization;
    private final ThreadLocal<Context> contexts;

    Transport(Vertx vertx, boolean ownsVertx, ClientOptions options) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.options = options;
        this.endpoints = new Endpoints(options.urls(), options.probeInterval());
        HttpClientOptions http = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setTcpNoDelay(true)
                .setVerifyHost(true)
                .setConnectTimeout(millis(options.connectTimeout()));
        options.caFile().ifPresent(ca -> http.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        this.calls = vertx.createHttpClient(
                http,
                new PoolOptions().setHttp1MaxSize(options.maxConnections()).setMaxWaitQueueSize(-1));
        this.streams = vertx.createHttpClient(
                // a stream's connection that hears nothing, not even a keep-alive, is closed: its peer is gone
                new HttpClientOptions(http)
                        .setIdleTimeout(millis(options.streamIdleTimeout()))
                        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS),
                new PoolOptions().setHttp1MaxSize(options.maxStreams()).setMaxWaitQueueSize(-1));
        WebSocketClientOptions ws = new WebSocketClientOptions()
                .setTcpNoDelay(true)
                .setVerifyHost(true)
                .setConnectTimeout(millis(options.connectTimeout()))
                // the coordinator pings every third of its silence: hearing nothing at all means it is gone
                .setIdleTimeout(millis(options.streamIdleTimeout()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        options.caFile().ifPresent(ca -> ws.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        this.webSockets = vertx.createWebSocketClient(ws);
        this.authorization = options.token() == null ? null : "Bearer " + options.token();
        this.contexts = ThreadLocal.withInitial(vertx::getOrCreateContext);
    }

    /** A duration as the int milliseconds Vert.x's client options take (capped). */
    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }

    Vertx vertx() {
        return vertx;
    }

    ClientOptions options() {
        return options;
    }

    Endpoints endpoints() {
        return endpoints;
    }

    /**
     * One call: {@code body} (may be null) as JSON, the answer's JSON (null for an empty one, e.g. 204). The answer
     * may take {@code extraWait} longer than the request timeout (a long poll).
     */
    Future<JsonObject> call(
            HttpMethod method, String path, JsonObject body, String idempotencyKey, Duration extraWait) {
        return call(method, path, body, idempotencyKey, extraWait, Map.of());
    }

    /** {@link #call} with extra request headers; a {@code 304 Not Modified} answers null. */
    Future<JsonObject> call(
            HttpMethod method,
            String path,
            JsonObject body,
            String idempotencyKey,
            Duration extraWait,
            Map<String, String> headers) {
        long idleMs = options.requestTimeout().plus(extraWait).toMillis();
        boolean repeatable = repeatable(method, path, idempotencyKey);
        return onContext(
                callContext(),
                () -> failover(endpoints.current(), 1, repeatable, at -> {
                    // a free connection of this client's pool is waited for as long as the answer may take; the TCP
                    // connect itself is bounded by connectTimeout (HttpClientOptions)
                    RequestOptions request = request(at, method, path)
                            .setIdleTimeout(idleMs)
                            .setConnectTimeout(options.connectTimeout().toMillis() + idleMs);
                    headers.forEach(request::putHeader);
                    if (idempotencyKey != null) {
                        request.putHeader("Idempotency-Key", idempotencyKey);
                    }
                    if (body != null) {
                        request.putHeader("Content-Type", "application/json");
                    }
                    return sent(
                                    calls.request(request),
                                    "maxConnections " + options.maxConnections(),
                                    r -> body == null ? r.send() : r.send(body.toBuffer()))
                            .compose(response -> response.body()
                                    .map(b -> Answer.of(at, response, b).json()));
                }));
    }

    /**
     * Opens a WebSocket to {@code path} on the coordinator in use, with the client's token; a refused upgrade fails as
     * a call's error answer would. One that cannot be reached, or answers 503, is left for the next coordinator, as a
     * call would be; an open channel stays on its coordinator (its owner opens a new one when it closes).
     */
    Future<WebSocket> webSocket(String path) {
        // an upgrade has no effect of its own: a coordinator that cannot take it is left for the next at once
        return onContext(callContext(), () -> failover(endpoints.current(), 1, true, at -> connect(at, path)));
    }

    private Future<WebSocket> connect(Endpoint at, String path) {
        WebSocketConnectOptions connect = aimed(new WebSocketConnectOptions(), at, path);
        return webSockets.connect(connect).recover(failure -> {
            if (failure instanceof UpgradeRejectedException rejected) {
                return Future.failedFuture(Answer.of(at, path, rejected).failure());
            }
            return Future.failedFuture(new NotSent(failure));
        });
    }

    /**
     * Opens an event stream; {@code frames} gets each event (name and JSON data) on the stream's context. The stream
     * is open when the future succeeds (the server answered 200); an error answer fails it as a call would.
     */
    Future<Subscription> stream(String path, BiConsumer<String, JsonObject> frames) {
        Context context = ownLoop() ? Vertx.currentContext() : vertx.getOrCreateContext();
        return onContext(
                context,
                () -> failover(endpoints.current(), 1, true, at -> {
                    // a free stream connection is waited for twice the TCP connect's bound, so that a coordinator
                    // that does not answer the connect fails that way first (and is left for the next one)
                    RequestOptions request = request(at, HttpMethod.GET, path)
                            .putHeader("Accept", "text/event-stream")
                            .setConnectTimeout(2 * options.connectTimeout().toMillis());
                    return sent(streams.request(request), "maxStreams " + options.maxStreams(), r -> r.send())
                            .compose(response -> open(context, at, response, frames));
                }));
    }

    /** Closes the connections, and the Vert.x instance when the client made it. */
    Future<Void> close() {
        Future<Void> closed =
                Future.join(calls.close(), streams.close(), webSockets.close()).mapEmpty();
        return ownsVertx ? closed.eventually(vertx::close) : closed;
    }

    private Future<Subscription> open(
            Context context, Endpoint at, HttpClientResponse response, BiConsumer<String, JsonObject> to) {
        if (response.statusCode() != 200) {
            return response.body().map(b -> {
                Answer.of(at, response, b).json();
                throw new KbsyncException.NotKbsync(
                        at.url(), "HTTP " + response.statusCode() + " where an event stream was expected", null);
            });
        }
        EventSubscription subscription = new EventSubscription(context, response.request(), at.url());
        SseParser parser = new SseParser((name, data) -> {
            try {
                if (name.equals(ERROR_EVENT)) { // the server ended the stream with a reason (e.g. SLOW_CONSUMER)
                    JsonObject json = new JsonObject(data);
                    subscription.fail(KbsyncException.of(
                            503, ApiError.fromJson(json).orElse(new ApiError("STREAM_ERROR", data)), Optional.empty()));
                    return;
                }
                to.accept(name, new JsonObject(data));
            } catch (RuntimeException e) { // malformed data, or the consumer threw: the stream ends with it
                subscription.fail(e);
            }
        });
        response.handler(parser::feed).endHandler(v -> subscription.end()).exceptionHandler(subscription::broken);
        return Future.succeededFuture(subscription);
    }

    private RequestOptions request(Endpoint at, HttpMethod method, String path) {
        return aimed(new RequestOptions(), at, path).setMethod(method);
    }

    /** {@code request} aimed at {@code path} on {@code at}, with the connect timeout and the client's token. */
    private <T extends RequestOptions> T aimed(T request, Endpoint at, String path) {
        request.setHost(at.host())
                .setPort(at.port())
                .setSsl(at.ssl())
                .setURI(at.prefix() + path)
                .setConnectTimeout(options.connectTimeout().toMillis());
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        return request;
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

    /**
     * Runs {@code exchange} with the coordinator {@code at}. When it gets no usable answer (unreachable, timed out, 503)
     * the client moves to the next coordinator; the exchange is tried there at once when the first one surely did not
     * act on it (no connection), or answered 503 to a {@code repeatable} call, each coordinator at most once. Other
     * failures, and failures after the request went out (a reset, a timeout: it may have been acted on), are the
     * caller's: its retries go to the coordinator the client is on by then. A due probe of preferred coordinators is
     * started first.
     */
    private <T> Future<T> failover(Endpoint at, int tried, boolean repeatable, Function<Endpoint, Future<T>> exchange) {
        return failover(at, tried, repeatable, false, exchange);
    }

    /**
     * {@code resent}: the exchange was sent again after a 408 (the request did not arrive whole in time, so nothing
     * was done: sent again once, to the same coordinator, whether {@code repeatable} or not; the coordinator is not
     * at fault).
     */
    private <T> Future<T> failover(
            Endpoint at, int tried, boolean repeatable, boolean resent, Function<Endpoint, Future<T>> exchange) {
        if (tried == 1 && !resent) {
            probe();
        }
        return start(() -> exchange.apply(at)).recover(failure -> {
            if (!resent && failure instanceof KbsyncException.InvalidRequest timedOut && timedOut.status() == 408) {
                return failover(at, tried, repeatable, true, exchange);
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
                    return failover(next, tried + 1, repeatable, resent, exchange);
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
    private static Future<HttpClientResponse> sent(
            Future<HttpClientRequest> connected,
            String pool,
            Function<HttpClientRequest, Future<HttpClientResponse>> send) {
        return connected
                .recover(cause -> Future.failedFuture(
                        cause instanceof TimeoutException ? new PoolBusy(cause, pool) : new NotSent(cause)))
                .compose(send);
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
        RequestOptions request = request(at, HttpMethod.GET, PROBE_PATH)
                .setIdleTimeout(options.connectTimeout().toMillis());
        calls.request(request)
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

    /** Whether the caller runs on one of this instance's event loops (then it can start exchanges directly). */
    private boolean ownLoop() {
        Context current = Vertx.currentContext();
        return current != null && current.owner() == vertx && Context.isOnEventLoopThread();
    }

    private Context callContext() {
        return ownLoop() ? Vertx.currentContext() : contexts.get();
    }

    private <T> Future<T> onContext(Context context, Supplier<Future<T>> chain) {
        if (Vertx.currentContext() == context) {
            return start(chain);
        }
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> start(chain).onComplete(promise));
        return promise.future();
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

    /** Starts {@code chain}; what it throws before it has a future (a bad request) fails the call. */
    private <T> Future<T> start(Supplier<Future<T>> chain) {
        try {
            return chain.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
