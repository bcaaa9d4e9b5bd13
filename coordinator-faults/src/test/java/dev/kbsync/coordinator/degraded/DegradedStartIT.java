package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator with a journal started while Redis is down (killed: connections refused; or SIGSTOPped: connections
 * hang) listens within its 2 s wait in degraded mode: it journals notes of its configured KBs and of KBs registered
 * before the outage (known from the kbs.json a previous run wrote), answers 503 for the rest, hands the journal's jobs
 * to its own workers, and once Redis is back finishes starting, restores every journaled job into Redis exactly once
 * and serves normally ({@link DegradedStopIT}: stopped while it waits for Redis, it stops cleanly and within its
 * bound). Without a journal a coordinator still does not start without Redis.
 */
@TimingSensitive
class DegradedStartIT {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedStartIT.class);

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.appendOnly();

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static CoordinatorConfig config(Optional<Path> journal) {
        return WaitingForRedis.config(redis, journal);
    }

    @Test
    void shouldServeFromTheJournalWhenStartedDuringAnOutageAndRestoreItOnceRedisIsBack(@TempDir Path dir)
            throws Exception {
        Path journal = dir.resolve("journal");
        Coordinator first =
                Coordinator.start(vertx, config(Optional.of(journal))).await();
        Http before = new Http(first.port());
        Http.Answer put = before.send(
                "PUT",
                "/v1/kbs/reg",
                new JsonObject().put("remote", "/srv/git/reg.git").put("branch", "main"));
        assertThat(put.status()).as(put.body().encode()).isIn(200, 201);
        assertThat(before.note("reg", "u", "before the outage").status()).isEqualTo(202);
        int confQueued = before.queuedOnceAnswered("conf"); // other tests' jobs of this Redis
        int regQueued = before.queuedOnceAnswered("reg");
        first.stop().await();
        assertThat(journal.resolve("kbs.json")).exists();
        Thread.sleep(1500); // appendfsync everysec: the registration is in the AOF before the kill

        redis.process().kill();
        LogCapture logs = new LogCapture();
        List<String> accepted = new ArrayList<>();
        Coordinator second;
        try {
            long startedAt = System.nanoTime();
            second = Coordinator.start(vertx, config(Optional.of(journal))).await(20, TimeUnit.SECONDS);
            long startMs = (System.nanoTime() - startedAt) / 1_000_000;
            LOG.info("coordinator started during the outage in {} ms", startMs);
            assertThat(startMs).as("listens at once").isLessThan(10_000);
            Http http = new Http(second.port());
            assertThat(http.get("/healthz").status()).isEqualTo(200);
            Http.Answer ready = http.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body().getString("mode")).isEqualTo("degraded");

            for (String kb : List.of("conf", "reg", "conf")) {
                Http.Answer answer = http.note(kb, "u", "during the outage to " + kb);
                assertThat(answer.status()).as(answer.body().encode()).isEqualTo(202);
                assertThat(answer.body().getString("mode")).isEqualTo("degraded");
                accepted.add(answer.body().getString("id"));
            }
            Http.Answer unknown = http.note("nope", "u", "t");
            assertThat(unknown.status()).isEqualTo(503);
            assertThat(unknown.error()).isEqualTo("REDIS_UNAVAILABLE");
            assertThat(unknown.retryAfter()).isNotNull();
            Http.Answer journaled = http.get("/v1/jobs/" + accepted.get(0));
            assertThat(journaled.status()).as(journaled.body().encode()).isEqualTo(200);
            assertThat(journaled.body().getString("mode"))
                    .as("a journal job is read from the journal")
                    .isEqualTo("degraded");
            for (Http.Answer needsRedis : List.of(
                    http.send("POST", "/v1/kbs/conf/leases", new JsonObject().put("holder", "h")),
                    http.get("/v1/kbs"),
                    http.get("/v1/kbs/conf/queue"))) {
                assertThat(needsRedis.status()).as(needsRedis.body().encode()).isEqualTo(503);
                assertThat(needsRedis.error()).isEqualTo("REDIS_UNAVAILABLE");
                assertThat(needsRedis.retryAfter()).isNotNull();
            }
            Http.Answer poll = http.send("POST", "/v1/workers/w1/poll", new JsonObject().put("waitMs", 3000));
            assertThat(poll.status()).as(poll.body().encode()).isEqualTo(200);
            assertThat(poll.body().getJsonObject("job").getString("id"))
                    .as("its own worker gets the journal's first job")
                    .isEqualTo(accepted.get(0));
            // long enough for a failed attempt to reach Redis and a retry: Redis comes back to the background attempts
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> logs.lines().stream().anyMatch(l -> l.contains("Redis does not answer (")));
        } finally {
            redis.process().restart();
        }
        long restartedAt = System.nanoTime();
        try {
            Http http = new Http(second.port());
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> accepted.stream().allMatch(id -> http.inRedis(id)));
            LOG.info(
                    "journal jobs in Redis {} ms after Redis was restarted",
                    (System.nanoTime() - restartedAt) / 1_000_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(journal.resolve(Journal.FILE)) == 0);
            assertThat(http.queuedOnceAnswered("conf"))
                    .as("each journaled note once")
                    .isEqualTo(confQueued + 2);
            assertThat(http.queuedOnceAnswered("reg"))
                    .as("the journaled note once")
                    .isEqualTo(regQueued + 1);
            Http.Answer ready = http.get("/readyz");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body().getString("mode")).isEqualTo("normal");
            Http.Answer lease = http.send("POST", "/v1/kbs/conf/leases", new JsonObject().put("holder", "h"));
            assertThat(lease.status()).as(lease.body().encode()).isEqualTo(202);
            Http.Answer after = http.note("conf", "u", "after");
            assertThat(after.status()).isEqualTo(202);
            assertThat(after.body().getString("mode")).isNull();
            assertThat(http.get("/v1/kbs").body().encode()).contains("\"conf\"", "\"reg\"");
            assertThat(logs.lines()).anyMatch(l -> l.contains("Redis answers (after") && !l.contains("after 0"));
        } finally {
            second.stop().await(20, TimeUnit.SECONDS);
            logs.close();
        }
    }

    @Test
    void shouldStartWhileRedisHangsAndLandTheJournalOnceItAnswers(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        redis.process().pause(); // connections are accepted, nothing is answered
        Coordinator hanging;
        String id;
        try {
            long startedAt = System.nanoTime();
            hanging = Coordinator.start(vertx, config(Optional.of(journal))).await(20, TimeUnit.SECONDS);
            LOG.info("coordinator started while Redis hangs in {} ms", (System.nanoTime() - startedAt) / 1_000_000);
            Http http = new Http(hanging.port());
            Http.Answer note = http.note("conf", "u", "while Redis hangs");
            assertThat(note.status()).as(note.body().encode()).isEqualTo(202);
            assertThat(note.body().getString("mode")).isEqualTo("degraded");
            id = note.body().getString("id");
            Http.Answer lease = http.send("POST", "/v1/kbs/conf/leases", new JsonObject().put("holder", "h"));
            assertThat(lease.status()).isEqualTo(503);
            assertThat(lease.retryAfter()).isNotNull();
            Thread.sleep(4000); // attempts time out meanwhile
        } finally {
            redis.process().resume();
        }
        try {
            Http http = new Http(hanging.port());
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> http.inRedis(id));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> http.get("/readyz").status() == 200);
        } finally {
            hanging.stop().await(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldNotStartWithoutRedisWithoutAJournal() throws Exception {
        long redissonThreads = WaitingForRedis.redissonThreads();
        redis.process().kill();
        try {
            assertThatThrownBy(() ->
                            Coordinator.start(vertx, config(Optional.empty())).await(60, TimeUnit.SECONDS))
                    .isNotInstanceOf(java.util.concurrent.TimeoutException.class);
            WaitingForRedis.awaitNoClientLeftBehind(redissonThreads);
        } finally {
            redis.process().restart();
        }
    }
}
