package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's jobs handed to workers while Redis is SIGSTOPped, spoken to over the worker protocol of a real
 * coordinator process: per KB one at a time in journal order (the notes behind a running note in its group commit)
 * under local fencing tokens that follow the clock and only grow; a push refused by the branch ({@code STALE_FENCE}) hands the same job out again under a larger token; a landing
 * is journaled. The process is SIGKILLed during the outage; a new one on the same journal, started once Redis is back,
 * raises the KB's Redis fence above every local token, records the landed job done (not run again) and restores the
 * others queued, searched down to their first local token; the next Redis grant's token is above every local one.
 */
@TimingSensitive
class DegradedDispatchIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldHandOutJournalJobsUnderLocalFencesAndRaiseRedisFencesAboveThem(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        Map<String, String> env = CoordinatorProcess.journaling(redis.uri(), "fx", journal);
        Path log = dir.resolve("coordinator.log");
        List<String> ids = new ArrayList<>();
        long landedToken;
        long queuedFirstToken;
        long memberToken;
        try (CoordinatorProcess first = CoordinatorProcess.start(env, log)) {
            Http http = first.http();
            redis.process().pause();
            try {
                http.awaitDegraded(Duration.ofSeconds(10));
                Http.Answer removal = http.send("DELETE", "/v1/kbs/fx", null);
                assertThat(removal.status()).as("a KB removal waits for Redis").isEqualTo(503);
                assertThat(removal.retryAfter()).isNotNull();
                for (int i = 0; i < 3; i++) {
                    Http.Answer answer = http.note("fx", "u", "during the outage " + i);
                    assertThat(answer.body().getString("mode")).isEqualTo("degraded");
                    ids.add(answer.body().getString("id"));
                }
                long before = System.currentTimeMillis();
                JsonObject a1 = poll(http, "w1", 5000);
                assertThat(a1.getJsonObject("job").getString("id")).isEqualTo(ids.get(0));
                long t1 = token(a1);
                assertThat(t1).as("a local token follows the clock").isGreaterThanOrEqualTo(before);
                assertThat(a1.getJsonObject("job").getLong("firstFencingToken")).isEqualTo(t1);
                assertThat(poll(http, "w2", 300))
                        .as("one job of a KB at a time")
                        .isNull();

                Http.Answer stale = report(
                        http,
                        a1,
                        new JsonObject()
                                .put("state", "failed")
                                .put(
                                        "error",
                                        new JsonObject()
                                                .put("code", "STALE_FENCE")
                                                .put("message", "fenced higher")));
                assertThat(stale.status()).isEqualTo(200);
                JsonObject a2 = poll(http, "w2", 5000);
                assertThat(a2.getJsonObject("job").getString("id"))
                        .as("handed out again")
                        .isEqualTo(ids.get(0));
                assertThat(token(a2)).isGreaterThan(t1);
                assertThat(a2.getJsonObject("job").getLong("firstFencingToken")).isEqualTo(t1);
                assertThat(http.send(
                                        "POST",
                                        "/v1/leases/"
                                                + a2.getJsonObject("lease").getString("id") + "/heartbeat",
                                        null)
                                .status())
                        .isEqualTo(200);
                Http.Answer done = report(
                        http,
                        a2,
                        new JsonObject()
                                .put("state", "done")
                                .put("commit", "0123456789abcdef0123456789abcdef01234567")
                                .put("files", new JsonArray()));
                assertThat(done.status()).isEqualTo(200);
                assertThat(done.body().getString("state")).isEqualTo("done");
                landedToken = token(a2);

                JsonObject b = poll(http, "w1", 5000);
                assertThat(b.getJsonObject("job").getString("id")).isEqualTo(ids.get(1));
                queuedFirstToken = token(b);
                assertThat(queuedFirstToken).isGreaterThan(landedToken);
                Http.Answer extended = http.send(
                        "POST",
                        "/v1/leases/" + b.getJsonObject("lease").getString("id") + "/extend",
                        new JsonObject().put("max", 16));
                JsonArray members = extended.body().getJsonArray("assignments");
                assertThat(members)
                        .as("group commit from the journal: the note behind it")
                        .hasSize(1);
                JsonObject c = members.getJsonObject(0);
                assertThat(c.getJsonObject("job").getString("id")).isEqualTo(ids.get(2));
                memberToken = token(c);
                assertThat(memberToken).isGreaterThan(queuedFirstToken);
                first.kill(); // b and c are under way: their runs are lost with the process
            } finally {
                redis.process().resume();
            }
        }

        try (CoordinatorProcess second = CoordinatorProcess.start(env, log)) {
            Http http = second.http();
            await().atMost(Duration.ofSeconds(15)).until(() -> ids.stream().allMatch(id -> http.inRedis(id)));
            JsonObject landed = http.get("/v1/jobs/" + ids.get(0)).body();
            assertThat(landed.getString("state"))
                    .as("landed during the outage: done, not run again")
                    .isEqualTo("done");
            assertThat(landed.getString("commit")).isEqualTo("0123456789abcdef0123456789abcdef01234567");
            JsonObject restored = http.get("/v1/jobs/" + ids.get(1)).body();
            assertThat(restored.getString("state")).isEqualTo("queued");
            assertThat(restored.getLong("firstFencingToken")).isEqualTo(queuedFirstToken);

            JsonObject granted = poll(http, "w3", 10_000);
            assertThat(granted.getJsonObject("job").getString("id")).isEqualTo(ids.get(1));
            assertThat(token(granted))
                    .as("the Redis grant is above every local token")
                    .isGreaterThan(memberToken);
            assertThat(granted.getJsonObject("job").getLong("firstFencingToken"))
                    .as("its exactly-once search reaches down to its first local grant")
                    .isEqualTo(queuedFirstToken);
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.size(journal.resolve(Journal.FILE)) == 0);
            assertThat(new JsonObject(Files.readString(journal.resolve(Journal.FENCES))).getLong("fx"))
                    .as("the last local token outlives the truncation")
                    .isEqualTo(memberToken);
        }
    }

    @Test
    void shouldKeepAKbsLaterJournalJobsForRedisOnceAnEarlierOneWasLeftToIt(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        Map<String, String> env = CoordinatorProcess.journaling(redis.uri(), "fo", journal);
        List<String> ids = new ArrayList<>();
        try (CoordinatorProcess coordinator = CoordinatorProcess.start(env, dir.resolve("coordinator.log"))) {
            Http http = coordinator.http();
            redis.process().pause();
            try {
                http.awaitDegraded(Duration.ofSeconds(10));
                for (int i = 0; i < 2; i++) {
                    ids.add(http.note("fo", "u", "during the outage " + i)
                            .body()
                            .getString("id"));
                }
                JsonObject a1 = poll(http, "w1", 5000);
                assertThat(a1.getJsonObject("job").getString("id")).isEqualTo(ids.get(0));
                Http.Answer failed = report(
                        http,
                        a1,
                        new JsonObject()
                                .put("state", "failed")
                                .put(
                                        "error",
                                        new JsonObject()
                                                .put("code", "REMOTE_UNAVAILABLE")
                                                .put("message", "the git host is down")));
                assertThat(failed.status()).isEqualTo(200);

                assertThat(poll(http, "w2", 1000))
                        .as("the KB's later journal job waits for Redis behind the one left to it")
                        .isNull();
                assertThat(http.get("/v1/jobs/" + ids.get(1)).body().getLong("ahead"))
                        .as("the job left to Redis still runs before it")
                        .isEqualTo(1);
            } finally {
                redis.process().resume();
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> ids.stream().allMatch(id -> http.inRedis(id)));
            JsonObject granted = pollKb(http, "fo", "w3");
            assertThat(granted.getJsonObject("job").getString("id"))
                    .as("Redis runs the KB's jobs in journal order")
                    .isEqualTo(ids.get(0));
        }
    }

    /**
     * The first of {@code kb}'s jobs a worker's polls get; another KB's job got first (one the other case left granted
     * to a worker that went silent, queued again once its lease lapsed: the cases share Redis) is ended on the way.
     */
    private static JsonObject pollKb(Http http, String kb, String worker) {
        for (int i = 0; i < 10; i++) {
            JsonObject granted = poll(http, worker, 10_000);
            assertThat(granted).as("a job of KB " + kb).isNotNull();
            if (granted.getJsonObject("job").getString("id").startsWith(kb + "~")) {
                return granted;
            }
            report(
                    http,
                    granted,
                    new JsonObject()
                            .put("state", "failed")
                            .put(
                                    "error",
                                    new JsonObject()
                                            .put("code", "PUSH_REJECTED")
                                            .put("message", "not this case's")));
        }
        throw new AssertionError("no job of KB " + kb + " in 10 polls");
    }

    /** A worker's long poll: the assignment, or null when none came within {@code waitMs}. */
    private static JsonObject poll(Http http, String worker, long waitMs) {
        Http.Answer answer =
                http.send("POST", "/v1/workers/" + worker + "/poll", new JsonObject().put("waitMs", waitMs));
        assertThat(answer.status()).as(answer.body().encode()).isIn(200, 204);
        return answer.status() == 200 ? answer.body() : null;
    }

    private static Http.Answer report(Http http, JsonObject assignment, JsonObject outcome) {
        return http.send(
                "POST",
                "/v1/jobs/" + assignment.getJsonObject("job").getString("id") + "/result",
                outcome.put("leaseId", assignment.getJsonObject("lease").getString("id")));
    }

    private static long token(JsonObject assignment) {
        return assignment.getJsonObject("lease").getLong("fencingToken");
    }
}
