package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idempotency key in degraded mode means what it means with Redis: a retry of the same request (same user, KB and
 * note) answers the first job; the same key for another KB is another request; for another note of the same KB it is
 * refused with 409 IDEMPOTENCY_MISMATCH. Nothing accepted is lost when Redis returns.
 */
@TimingSensitive
class DegradedIdempotencyIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldKeepAKeysMeaningWhileJournaling(@TempDir Path dir) {
        Vertx vertx = Vertx.vertx();
        Coordinator coordinator = Coordinator.start(vertx, config(dir)).await();
        Http http = new Http(coordinator.port());
        try {
            http.awaitNormalWithEmptyJournal(); // a start on a loaded machine may begin degraded
            redis.process().pause();
            Http.Answer first;
            try {
                http.awaitDegraded(Duration.ofSeconds(20));
                first = keyed(http, "dg", "the first note");
                Http.Answer retry = keyed(http, "dg", "the first note");
                Http.Answer otherKb = keyed(http, "full", "a note for another KB");
                Http.Answer otherNote = keyed(http, "dg", "another note, same key");

                assertThat(first.status()).isEqualTo(202);
                assertThat(first.body().getString("mode")).isEqualTo("degraded");
                assertThat(retry.status()).isEqualTo(202);
                assertThat(retry.body().getString("id")).isEqualTo(first.body().getString("id"));
                assertThat(otherKb.status()).as(otherKb.body().encode()).isEqualTo(202);
                assertThat(otherKb.body().getString("kb")).isEqualTo("full");
                assertThat(otherKb.body().getString("id"))
                        .isNotEqualTo(first.body().getString("id"));
                assertThat(otherNote.status()).as(otherNote.body().encode()).isEqualTo(409);
                assertThat(otherNote.error()).isEqualTo("IDEMPOTENCY_MISMATCH");
            } finally {
                redis.process().resume();
            }
            Http.Answer again = keyed(http, "full", "a note for another KB");
            assertThat(again.status()).as(again.body().encode()).isEqualTo(202);
            String other = again.body().getString("id");
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            http.inRedis(other) && http.inRedis(first.body().getString("id")));
            assertThat(http.get("/v1/jobs/" + other)
                            .body()
                            .getJsonObject("payload")
                            .getString("text"))
                    .isEqualTo("a note for another KB");
        } finally {
            coordinator.stop().await();
            vertx.close().await();
        }
    }

    /**
     * A key the journal does not know may name another request in Redis (stored before Redis went away): the journal
     * accepted the job (202), so it is restored all the same, without the key (which keeps naming its first job), never
     * set aside.
     */
    @Test
    void shouldRestoreAJournaledJobWhoseKeyRedisHoldsForAnotherRequest(@TempDir Path dir) {
        Vertx vertx = Vertx.vertx();
        Coordinator coordinator = Coordinator.start(vertx, config(dir)).await();
        Http http = new Http(coordinator.port());
        try {
            http.awaitNormalWithEmptyJournal(); // a start on a loaded machine may begin degraded
            Http.Answer stored = keyed(http, "dg", "stored with Redis", "K-2");
            assertThat(stored.status()).as(stored.body().encode()).isEqualTo(202);
            redis.process().pause();
            Http.Answer journaled;
            try {
                http.awaitDegraded(Duration.ofSeconds(20));
                journaled = keyed(http, "dg", "accepted by the journal", "K-2");
                assertThat(journaled.status()).as(journaled.body().encode()).isEqualTo(202);
                assertThat(journaled.body().getString("mode")).isEqualTo("degraded");
            } finally {
                redis.process().resume();
            }
            String id = journaled.body().getString("id");
            await().atMost(Duration.ofSeconds(20)).until(() -> http.inRedis(id));
            assertThat(http.get("/v1/jobs/" + id)
                            .body()
                            .getJsonObject("payload")
                            .getString("text"))
                    .isEqualTo("accepted by the journal");
            Http.Answer retry = keyed(http, "dg", "stored with Redis", "K-2");
            assertThat(retry.body().getString("id"))
                    .as("the key still names its first job")
                    .isEqualTo(stored.body().getString("id"));
        } finally {
            coordinator.stop().await();
            vertx.close().await();
        }
    }

    private static Http.Answer keyed(Http http, String kb, String text) {
        return keyed(http, kb, text, "K-1");
    }

    private static Http.Answer keyed(Http http, String kb, String text, String key) {
        return http.send(
                "POST",
                "/v1/kbs/" + kb + "/notes",
                new JsonObject().put("user", "u").put("text", text),
                Map.of("Idempotency-Key", key));
    }

    private static CoordinatorConfig config(Path journal) {
        return WaitingForRedis.config(
                redis, Optional.of(journal), "dg=/srv/git/dg.git#main,full=/srv/git/full.git#main");
    }
}
