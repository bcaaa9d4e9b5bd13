package dev.kbsync.coordinator.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A router served on a loopback port of its own, for tests of single routes over real HTTP. */
final class LoopbackServer {
    private LoopbackServer() {}

    /** Serves {@code router} until {@code vertx} closes; a client whose requests go to it. */
    static WebClient serve(Vertx vertx, Router router) {
        HttpServer server = vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .await();
        return WebClient.create(
                vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
    }
}
