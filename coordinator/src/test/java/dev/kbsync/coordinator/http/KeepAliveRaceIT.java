package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.vertx.OnContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression: sequential keep-alive requests from the test thread over a one-connection pool. A raw client chain
 * built off a Vert.x context hung within a few hundred to ~2,000 requests (the response ended before its body
 * handler was attached); built with {@link OnContext} none may hang. The Web client pauses the response until it
 * reads it, so its callers (the fixtures, the worker's coordinator client) need no hop; checked here too.
 */
class KeepAliveRaceIT {
    private static final int REQUESTS = 3_000;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    @Test
    void shouldNeverHangARawClientChainBuiltOnTheContext() throws Exception {
        HttpClient client = api.vertx.createHttpClient(
                new HttpClientOptions()
                        .setKeepAlive(true)
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(api.port()),
                new PoolOptions().setHttp1MaxSize(1));
        try {
            repeat(() -> OnContext.run(
                    api.context,
                    () -> client.request(HttpMethod.GET, "/healthz")
                            .compose(request -> request.send())
                            .compose(response -> response.body())));
        } finally {
            client.close().await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldNeverHangAWebClientRequest() throws Exception {
        WebClient client = WebClient.create(
                api.vertx,
                new WebClientOptions()
                        .setKeepAlive(true)
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(api.port()),
                new PoolOptions().setHttp1MaxSize(1));
        try {
            repeat(() -> client.get("/healthz").send().map(response -> response.body()));
        } finally {
            client.close();
        }
    }

    private static void repeat(Supplier<Future<Buffer>> request) throws Exception {
        for (int i = 0; i < REQUESTS; i++) {
            Buffer body;
            try {
                body = request.get().await(3, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("request " + i + " of " + REQUESTS + " hung", e);
            }
            assertThat(body.length()).as("request %d", i).isPositive();
        }
    }
}
