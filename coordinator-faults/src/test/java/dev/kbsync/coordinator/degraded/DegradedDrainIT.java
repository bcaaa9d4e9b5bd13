package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * While a journal drains into Redis, a KB with no jobs in it is served by Redis at once (its rate limits, callbacks and
 * real positions back), while a KB whose journal jobs are still on their way keeps journaling behind them, in order.
 */
@TimingSensitive
class DegradedDrainIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final int BACKLOG = 5_000;
    private static final Duration DRAINED = Duration.ofSeconds(180);

    /**
     * A coordinator started on a backlog while Redis does not answer (it listens in degraded mode and finishes starting
     * once Redis does) drains the whole backlog into Redis, and stops cleanly afterwards.
     */
    @Test
    void shouldDrainABacklogWhenStartedBeforeRedisAnswers(@TempDir Path dir) throws IOException {
        Path journal = backlog(dir, KbId.of("early"));
        Vertx vertx = Vertx.vertx();
        Coordinator coordinator;
        Http http;
        redis.process().pause();
        try {
            coordinator = Coordinator.start(
                            vertx,
                            WaitingForRedis.config(
                                    redis,
                                    Optional.of(journal),
                                    "early=/srv/git/early.git#main,other=/srv/git/other.git#main"))
                    .await();
            http = new Http(coordinator.port());
            assertThat(http.note("other", "v", "another KB, during the outage").status())
                    .isEqualTo(202);
        } finally {
            redis.process().resume();
        }
        try {
            Http.Answer behind = http.note("early", "v", "behind the backlog");
            assertThat(behind.status()).as(behind.body().encode()).isEqualTo(202);
            // the drain's end, not its speed: 5,000 jobs drain in about 3 s alone, in over a minute in a loaded full
            // run (two runs failed a 60 s bound)
            await().atMost(DRAINED).until(() -> http.get("/readyz").body().getInteger("journal") == 0);
            assertThat(http.queuedOnceAnswered("early")).isEqualTo(BACKLOG + 1);
            assertThat(http.queuedOnceAnswered("other")).isEqualTo(1);
        } finally {
            assertThat(coordinator.stop().toCompletionStage().toCompletableFuture())
                    .as("the coordinator stops")
                    .succeedsWithin(Duration.ofSeconds(20));
            vertx.close().await();
        }
    }

    /** What an outage left: a journal holding a backlog of {@link #BACKLOG} notes on KB {@code dg}. */
    private static Path backlog(Path dir, KbId dg) throws IOException {
        Path journal = Files.createDirectories(dir.resolve("journal"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < BACKLOG; i++) {
            Job job = Job.queued(
                    JobRef.create(dg).id(), dg, "u", new JobPayload.Note("backlog " + i, null, null), Instant.now());
            lines.append(new Journal.Entry(job, Optional.empty(), 0).toJson().encode())
                    .append('\n');
        }
        Files.writeString(journal.resolve(Journal.FILE), lines);
        return journal;
    }

    /**
     * Redis answers while a KB's journal jobs drain into it: a submission to that KB with a callbackUrl, which a journal
     * job cannot carry, is refused 503 JOURNAL_DRAINING with Retry-After, not REDIS_UNAVAILABLE, and is not counted as
     * a request Redis did not answer; another KB takes one at once, and the drained KB too once its journal is empty.
     */
    @Test
    void shouldRefuseACallbackBehindADrainingJournalAsDrainingNotAsRedisUnavailable(@TempDir Path dir)
            throws IOException {
        Path journal = backlog(dir, KbId.of("dgcb"));
        Vertx vertx = Vertx.vertx();
        Coordinator coordinator = Coordinator.start(
                        vertx,
                        WaitingForRedis.config(
                                redis,
                                Optional.of(journal),
                                "dgcb=/srv/git/dgcb.git#main,free=/srv/git/free.git#main",
                                Map.of(
                                        "KBSYNC_WEBHOOKS_ALLOWED_HOSTS", "127.0.0.1",
                                        "KBSYNC_WEBHOOKS_SECRET", "webhook-secret-0123456789")))
                .await();
        Http http = new Http(coordinator.port());
        http.awaitRedis();
        try {
            // the waits for Redis above may have been refused for want of it on a loaded machine: counted before
            String unavailable = redisUnavailable(http);
            Http.Answer behind = http.send("POST", "/v1/kbs/dgcb/notes", withCallback());
            Http.Answer other = http.send("POST", "/v1/kbs/free/notes", withCallback());
            int left = http.get("/readyz").body().getInteger("journal");

            assertThat(left)
                    .as("the journal still drains (else this run proves nothing)")
                    .isPositive();
            assertThat(behind.status()).as(behind.body().encode()).isEqualTo(503);
            assertThat(behind.error()).isEqualTo("JOURNAL_DRAINING");
            assertThat(behind.retryAfter()).isNotNull();
            assertThat(other.status()).as(other.body().encode()).isEqualTo(202);
            assertThat(redisUnavailable(http))
                    .as("Redis answered: no request was refused for want of it")
                    .isEqualTo(unavailable);
            await().atMost(DRAINED).until(() -> http.get("/readyz").body().getInteger("journal") == 0);
            Http.Answer drained = http.send("POST", "/v1/kbs/dgcb/notes", withCallback());
            assertThat(drained.status()).as(drained.body().encode()).isEqualTo(202);
        } finally {
            coordinator.stop().await();
            vertx.close().await();
        }
    }

    /** The coordinator's count of requests refused 503 REDIS_UNAVAILABLE, as its metrics say. */
    private static String redisUnavailable(Http http) {
        return http.text("/metrics")
                .lines()
                .filter(line -> line.startsWith("kbsync_redis_unavailable_total "))
                .findFirst()
                .orElse("kbsync_redis_unavailable_total (none)");
    }

    private static JsonObject withCallback() {
        return new JsonObject()
                .put("user", "v")
                .put("text", "tell me when it lands")
                .put("callbackUrl", "http://127.0.0.1:9/hook");
    }

    @Test
    void shouldServeAKbWithoutJournalJobsFromRedisWhileAnotherKbsJournalDrains(@TempDir Path dir) throws IOException {
        Path journal = backlog(dir, KbId.of("dg"));
        Vertx vertx = Vertx.vertx();
        Coordinator coordinator = Coordinator.start(
                        vertx,
                        WaitingForRedis.config(
                                redis, Optional.of(journal), "dg=/srv/git/dg.git#main,full=/srv/git/full.git#main"))
                .await();
        Http http = new Http(coordinator.port());
        http.awaitRedis();
        try {
            Http.Answer other = http.note("full", "v", "not behind the backlog");
            Http.Answer behind = http.note("dg", "v", "behind the backlog");
            int left = http.get("/readyz").body().getInteger("journal");

            assertThat(left)
                    .as("the journal still drains (else this run proves nothing)")
                    .isPositive();
            assertThat(other.status()).isEqualTo(202);
            assertThat(other.body().getString("mode")).as(other.body().encode()).isNull();
            assertThat(behind.status()).isEqualTo(202);
            assertThat(behind.body().getString("mode")).isEqualTo("degraded");
            // the drain's end, not its speed: 5,000 jobs drain in about 3 s alone, in over a minute in a loaded full
            // run (two runs failed a 60 s bound)
            await().atMost(DRAINED).until(() -> http.get("/readyz").body().getInteger("journal") == 0);
            assertThat(http.queuedOnceAnswered("dg")).isEqualTo(BACKLOG + 1);
            assertThat(http.queuedOnceAnswered("full")).isEqualTo(1);
        } finally {
            coordinator.stop().await();
            vertx.close().await();
        }
    }
}
