package dev.kbsync.coordinator.http;

import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression: sequential keep-alive requests from the test thread over a one-connection pool. A raw Vert.x client
 * chain started on a plain thread hung within a few hundred to ~2,000 requests (the response ended before its body
 * handler was attached). The Java client starts every exchange on a context of its own, so none may hang: neither a
 * blocking call nor an asynchronous one started on a plain thread.
 */
class KeepAliveRaceIT {
    private static final int REQUESTS = 3_000;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    @Test
    void shouldNeverHangABlockingCallOverOneKeepAliveConnection() {
        try (KbsyncClient client = oneConnection()) {
            repeat(client::health);
        }
    }

    @Test
    void shouldNeverHangAnAsyncCallStartedOnAPlainThread() {
        try (KbsyncClient client = oneConnection()) {
            repeat(() -> {
                try {
                    client.async().health().await(3, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("hung", e);
                }
            });
        }
    }

    /** A client of its own Vert.x instance (as bots use it), with one connection and a 3 s timeout. */
    private static KbsyncClient oneConnection() {
        return KbsyncClient.create(ClientOptions.of(URI.create("http://127.0.0.1:" + api.port()), null)
                .withMaxConnections(1)
                .withRequestTimeout(Duration.ofSeconds(3)));
    }

    private static void repeat(Runnable request) {
        for (int i = 0; i < REQUESTS; i++) {
            try {
                request.run();
            } catch (KbsyncException.TimedOut | AssertionError e) {
                throw new AssertionError("request " + i + " of " + REQUESTS + " hung", e);
            }
        }
    }
}
