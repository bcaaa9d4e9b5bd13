package dev.kbsync.api.client;

import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link Transport}'s connections: one pool for calls, one for event streams and a WebSocket client, set up from the
 * {@link ClientOptions}, and the requests aimed at a coordinator with the client's bearer token.
 */
final class Connections {
    /**
     * How long an idle connection is kept for the next call, in seconds: well below the coordinator's default
     * http.requestReadSeconds (60), so the client lets an idle connection go before the coordinator closes it under a
     * call just being sent.
     */
    private static final int KEEP_ALIVE_SECONDS = 20;

    private final ClientOptions options;
    private final HttpClient calls;
    private final HttpClient streams;
    private final WebSocketClient webSockets;
    private final String authorization;

    Connections(Vertx vertx, ClientOptions options) {
        this.options = options;
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
                // no idle timeout of the connection: a stream watches its own silence, bound by the keep-alive
                // period its coordinator announces (EventSubscription), and its answer's start (Transport)
                new HttpClientOptions(http),
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
    }

    /** A duration as the int milliseconds Vert.x's client options take (capped). */
    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }

    /** The pool for calls (and probes). */
    HttpClient calls() {
        return calls;
    }

    /** The pool for event streams. */
    HttpClient streams() {
        return streams;
    }

    WebSocketClient webSockets() {
        return webSockets;
    }

    RequestOptions request(Endpoint at, HttpMethod method, String path) {
        return aimed(new RequestOptions(), at, path).setMethod(method);
    }

    /** {@code request} aimed at {@code path} on {@code at}, with the connect timeout and the client's token. */
    <T extends RequestOptions> T aimed(T request, Endpoint at, String path) {
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

    /** Closes the three clients. */
    Future<Void> close() {
        return Future.join(calls.close(), streams.close(), webSockets.close()).mapEmpty();
    }
}
