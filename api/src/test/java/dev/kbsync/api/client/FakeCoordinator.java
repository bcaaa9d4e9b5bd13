package dev.kbsync.api.client;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on a free loopback port answering each path as the test says; unknown paths get 404. */
final class FakeCoordinator implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final AtomicInteger received = new AtomicInteger();

    FakeCoordinator() throws Exception {
        server = vertx.createHttpServer()
                .requestHandler(request -> countedIn(request)
                        .getOrDefault(
                                request.path(),
                                r -> r.response()
                                        .setStatusCode(404)
                                        .end("{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no such endpoint\"}}"))
                        .handle(request))
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
    }

    private Map<String, Handler<HttpServerRequest>> countedIn(HttpServerRequest request) {
        received.incrementAndGet();
        return routes;
    }

    /** How many requests came, to any path. */
    int received() {
        return received.get();
    }

    FakeCoordinator on(String path, Handler<HttpServerRequest> handler) {
        routes.put(path, handler);
        return this;
    }

    /** Answers {@code path} with {@code status} and {@code body}. */
    FakeCoordinator answer(String path, int status, String body) {
        return on(path, r -> r.response().setStatusCode(status).end(body));
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    KbsyncClient client() {
        return KbsyncClient.create(ClientOptions.of(url(), "secret-token"));
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }
}
