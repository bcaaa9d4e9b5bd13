package dev.kbsync.bench;

import dev.kbsync.vertx.OnContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * A keep-alive Vert.x HTTP client for the coordinator's API, with its own Vert.x instance. The bench calls it from its
 * own threads, so every chain is built on a context of that instance ({@link OnContext}): one per calling thread,
 * so concurrent callers spread over the instance's event loops.
 */
final class Api implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final ThreadLocal<Context> contexts = ThreadLocal.withInitial(vertx::getOrCreateContext);
    private final HttpClient client;

    Api(int port, int connections) {
        client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    /** Sends a JSON request (body may be null); fails unless the status is 2xx; an empty body reads as {}. */
    Future<JsonObject> send(HttpMethod method, String uri, JsonObject body) {
        return OnContext.run(contexts.get(), () -> exchange(method, uri, body));
    }

    private Future<JsonObject> exchange(HttpMethod method, String uri, JsonObject body) {
        return client.request(method, uri).compose(req -> {
            Future<HttpClientResponse> sent;
            if (body == null) {
                sent = req.send();
            } else {
                req.putHeader("Content-Type", "application/json");
                sent = req.send(body.toBuffer());
            }
            return sent.compose(resp -> resp.body().map(b -> {
                if (resp.statusCode() >= 300) {
                    throw new IllegalStateException(method + " " + uri + " -> " + resp.statusCode() + " " + b);
                }
                return b.length() == 0 ? new JsonObject() : b.toJsonObject();
            }));
        });
    }

    /** {@link #send}, blocking the calling (non-Vert.x) thread for at most 30 s. */
    JsonObject call(HttpMethod method, String uri, JsonObject body) throws Exception {
        return send(method, uri, body).await(30, TimeUnit.SECONDS);
    }

    /**
     * Opens an event stream on a context of its own (streams spread over the event loops); frames go to
     * {@code listener} on it once the stream is open.
     */
    Future<Void> events(String uri, SseListener listener) {
        return OnContext.run(vertx.getOrCreateContext(), () -> stream(uri, listener));
    }

    private Future<Void> stream(String uri, SseListener listener) {
        return client.request(HttpMethod.GET, uri).compose(req -> req.send()).map(resp -> {
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " -> " + resp.statusCode());
            }
            SseParser parser = new SseParser(listener);
            resp.handler(parser::feed);
            return null;
        });
    }

    /** Registers each KB with a placeholder remote (the raw lease API never touches git). */
    void registerKbs(Iterable<String> kbs) throws Exception {
        for (String kb : kbs) {
            call(
                    HttpMethod.PUT,
                    "/v1/kbs/" + kb,
                    new JsonObject().put("remote", "file:///tmp/" + kb).put("branch", "main"));
        }
    }

    /** Receives one SSE frame. */
    interface SseListener {
        void onEvent(String type, JsonObject data);
    }

    @Override
    public void close() throws Exception {
        client.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }
}
