package dev.kbsync.api.client;

import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The one place for HTTP: calls, event streams and WebSockets with JSON in and out, error answers mapped to
 * {@link KbsyncException}s ({@link Answer}). Its parts: the connections and the bearer token ({@link Connections}),
 * the move to another coordinator when one stops answering ({@link Failover}, {@link Endpoints}), and the Vert.x
 * context every exchange is started on ({@link EventLoops}).
 */
final class Transport {
    private final Vertx vertx;
    private final boolean ownsVertx;
    private final ClientOptions options;
    private final Endpoints endpoints;
    private final Connections connections;
    private final Failover failover;
    private final EventLoops loops;

    Transport(Vertx vertx, boolean ownsVertx, ClientOptions options) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.options = options;
        this.endpoints = new Endpoints(options.urls(), options.probeInterval());
        this.connections = new Connections(vertx, options);
        this.failover = new Failover(vertx, endpoints, connections, options.connectTimeout());
        this.loops = new EventLoops(vertx);
    }

    Vertx vertx() {
        return vertx;
    }

    /** A timer on one of the client's event loops, wherever it is set from (see {@link EventLoops#setTimer}). */
    long setTimer(long delayMs, Handler<Long> handler) {
        return loops.setTimer(delayMs, handler);
    }

    /** A periodic timer on one of the client's event loops, wherever it is set from. */
    long setPeriodic(long periodMs, Handler<Long> handler) {
        return loops.setPeriodic(periodMs, handler);
    }

    /**
     * Runs {@code step} (a Vert.x call on a connection, say) on one of the client's event loops, so that its future's
     * callbacks never wait on the caller's own worker context.
     */
    <T> Future<T> onLoop(Supplier<Future<T>> step) {
        return loops.on(loops.forCall(), step);
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
        Duration budget = options.requestTimeout().plus(extraWait);
        boolean repeatable = Failover.repeatable(method, path, idempotencyKey);
        return loops.on(
                loops.forCall(),
                () -> failover.run(repeatable, budget, (at, wait) -> {
                    long idleMs = Math.max(1, wait.toMillis());
                    // a free connection of this client's pool is waited for as long as the answer may take; the TCP
                    // connect itself is bounded by connectTimeout (HttpClientOptions)
                    RequestOptions request = connections
                            .request(at, method, path)
                            .setIdleTimeout(idleMs)
                            .setConnectTimeout(options.connectTimeout().toMillis() + idleMs);
                    headers.forEach(request::putHeader);
                    if (idempotencyKey != null) {
                        request.putHeader("Idempotency-Key", idempotencyKey);
                    }
                    if (body != null) {
                        request.putHeader("Content-Type", "application/json");
                    }
                    return Failover.sent(
                                    connections.calls().request(request),
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
        return loops.on(loops.forCall(), () -> failover.run(true, Duration.ZERO, (at, wait) -> connect(at, path)));
    }

    private Future<WebSocket> connect(Endpoint at, String path) {
        WebSocketConnectOptions connect = connections.aimed(new WebSocketConnectOptions(), at, path);
        return connections.webSockets().connect(connect).recover(failure -> {
            if (failure instanceof UpgradeRejectedException rejected) {
                return Future.failedFuture(Answer.of(at, path, rejected).failure());
            }
            return Failover.notSent(failure);
        });
    }

    /**
     * Opens an event stream; {@code frames} gets each event (name and JSON data) on the stream's context. The stream
     * is open when the future succeeds (the server answered 200); an error answer fails it as a call would, except
     * that a 503 about its job (JOB_RESTORING) is not waited out here: it fails the stream at once, the client still on
     * that coordinator, and the caller opens it again ({@link JobWait}).
     */
    Future<Subscription> stream(String path, BiConsumer<String, JsonObject> frames) {
        Context context = loops.forStream();
        return loops.on(
                context,
                () -> failover.run(true, Duration.ZERO, (at, wait) -> {
                    // a free stream connection is waited for twice the TCP connect's bound, so that a coordinator
                    // that does not answer the connect fails that way first (and is left for the next one)
                    RequestOptions request = connections
                            .request(at, HttpMethod.GET, path)
                            .putHeader("Accept", "text/event-stream")
                            .setConnectTimeout(2 * options.connectTimeout().toMillis());
                    return Failover.sent(
                                    connections.streams().request(request),
                                    "maxStreams " + options.maxStreams(),
                                    r -> answered(context, r))
                            .compose(response ->
                                    EventSubscription.open(context, at, response, options.streamIdleTimeout(), frames));
                }));
    }

    /**
     * Sends a stream's request: one whose answer does not start within the stream idle timeout is reset, as its peer
     * is gone (once the answer started, the stream watches its own silence: {@link EventSubscription}).
     */
    private Future<HttpClientResponse> answered(Context context, HttpClientRequest request) {
        long idleMs = options.streamIdleTimeout().toMillis();
        Promise<HttpClientResponse> answer = Promise.promise();
        long timer = ((ContextInternal) context).setTimer(idleMs, t -> {
            answer.tryFail(new TimeoutException("the event stream's answer did not start within " + idleMs + " ms"));
            request.reset();
        });
        request.send().onComplete(sent -> {
            vertx.cancelTimer(timer);
            if (sent.succeeded()) {
                answer.tryComplete(sent.result());
            } else {
                answer.tryFail(sent.cause());
            }
        });
        return answer.future();
    }

    /** Closes the connections, and the Vert.x instance when the client made it. */
    Future<Void> close() {
        Future<Void> closed = connections.close();
        return ownsVertx ? closed.eventually(vertx::close) : closed;
    }
}
