package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that stops while its coordinator serves from the journal (Redis SIGSTOPped): its presence cannot be stored
 * ({@code 503}), but its drain still ends its long poll waiting there, so the worker's stop does not wait it out.
 */
@TimingSensitive
class DegradedWorkerDrainIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldEndAPollWaitingOnTheJournalWhenItsWorkerDrains(@TempDir Path dir) throws Exception {
        Map<String, String> env = CoordinatorProcess.journaling(redis.uri(), "dr", dir.resolve("journal"));
        try (CoordinatorProcess coordinator = CoordinatorProcess.start(env, dir.resolve("coordinator.log"))) {
            Http http = coordinator.http();
            redis.process().pause();
            try {
                http.awaitDegraded(Duration.ofSeconds(10));
                long sent = System.nanoTime();
                CompletableFuture<Http.Answer> poll = CompletableFuture.supplyAsync(
                        () -> http.send("POST", "/v1/workers/leaving/poll", new JsonObject().put("waitMs", 20_000)));
                Thread.sleep(1_000); // the poll waits on the journal

                Http.Answer drain = http.send("PUT", "/v1/workers/leaving", draining());

                assertThat(drain.status())
                        .as("a presence is stored in Redis only")
                        .isEqualTo(503);
                assertThat(drain.retryAfter()).isNotNull();
                Http.Answer answered = poll.get(10, TimeUnit.SECONDS);
                assertThat(answered.status()).isEqualTo(204);
                assertThat(Duration.ofNanos(System.nanoTime() - sent))
                        .as("the drain ended the poll; it did not run out its 20 s")
                        .isLessThan(Duration.ofSeconds(6));
            } finally {
                redis.process().resume();
            }
        }
    }

    private static JsonObject draining() {
        return new JsonObject()
                .put("host", "srv-1")
                .put("version", "0.1.0")
                .put("slots", 1)
                .put("idleSlots", 0)
                .put("draining", true)
                .put("startedAt", "2026-12-06T06:00:00Z")
                .put("kinds", new JsonArray().add("note"));
    }
}
