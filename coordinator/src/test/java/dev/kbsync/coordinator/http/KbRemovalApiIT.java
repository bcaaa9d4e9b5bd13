package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.coordinator.service.Watchers;
import dev.kbsync.testing.ScriptMonitor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code DELETE /v1/kbs/{kb}}: an idle KB's registration and keys go (its finished jobs stay readable), a KB in use is
 * refused 409 KB_BUSY with nothing removed, an unknown one 404, a scoped admin only within its scope; a submit racing
 * with the removal is either queued first (and the removal refused) or refused 404.
 */
class KbRemovalApiIT {
    private static final String TEAM_ADMIN = "team-a-admin-token-01";

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(
            Map.of("KBSYNC_TOKENS", "", "KBSYNC_KBS", "", "KBSYNC_RATE_LIMIT_SUBMISSIONS", "100000"),
            """
            auth:
              tokens:
                - {token: %s, role: admin}
                - {token: %s, role: worker}
                - {token: %s, role: client}
                - {token: %s, role: admin, name: team-a-admin, kbs: ["team-a-*"]}
            """.formatted(ADMIN, ApiFixture.WORKER, CLIENT, TEAM_ADMIN));

    @Test
    void shouldRemoveAnIdleKbAndKeepItsFinishedJobsReadable() {
        register("gone", ADMIN);
        String job = submit("gone", "first note").bodyAsJsonObject().getString("id");
        assertThat(api.call(DELETE, "/v1/jobs/" + job, CLIENT).statusCode()).isEqualTo(200);

        HttpResponse<Buffer> removed = api.call(DELETE, "/v1/kbs/gone", ADMIN);

        assertThat(removed.statusCode()).as(removed.bodyAsString()).isEqualTo(204);
        assertThat(listed()).doesNotContain("gone");
        HttpResponse<Buffer> read = api.call(GET, "/v1/jobs/" + job, CLIENT);
        assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(200);
        assertThat(read.bodyAsJsonObject().getString("state")).isEqualTo("cancelled");
        // what is left of the KB are its finished records and its fencing counter, each expiring within the retention
        assertThat(api.kbKeys("gone").keySet())
                .allSatisfy(key -> assertThat(key).matches(".*:(tickets|jobs|ended|index|hooks|fence)"));
        assertThat(api.kbKeys("gone").values())
                .allSatisfy(ttl -> assertThat(ttl).isPositive());
        assertError(submit("gone", "too late"), 404, "KB_NOT_FOUND");
        assertError(
                api.call(POST, "/v1/kbs/gone/leases", CLIENT, new JsonObject().put("holder", "h")),
                404,
                "KB_NOT_FOUND");
        assertError(api.call(GET, "/v1/kbs/gone/queue", CLIENT), 404, "KB_NOT_FOUND");
        assertError(api.call(DELETE, "/v1/kbs/gone", ADMIN), 404, "KB_NOT_FOUND");
    }

    @Test
    void shouldRefuseAKbInUseAndRemoveNothing() {
        register("busy", ADMIN);
        String first = submit("busy", "one").bodyAsJsonObject().getString("id");
        String second = submit("busy", "two").bodyAsJsonObject().getString("id");
        Map<String, Long> keys = api.kbKeys("busy");

        HttpResponse<Buffer> refused;
        try (ScriptMonitor monitor = ScriptMonitor.start(api.redis.port())) {
            refused = api.call(DELETE, "/v1/kbs/busy", ADMIN);
            await().atMost(Duration.ofSeconds(5)).until(() -> monitor.scripts() > 0); // MONITOR sees in order
            // a KB in use keeps its registration throughout: workers' polls and reads never miss it
            assertThat(monitor.commands("hdel", "kbsync:kbs")).isZero();
        }

        assertError(refused, 409, "KB_BUSY");
        assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message"))
                .contains("1 queued, 1 running");
        assertThat(listed()).contains("busy");
        assertThat(api.kbKeys("busy").keySet()).containsAll(keys.keySet());
        assertThat(api.call(GET, "/v1/jobs/" + second, CLIENT)
                        .bodyAsJsonObject()
                        .getString("state"))
                .isEqualTo("queued");

        api.call(DELETE, "/v1/jobs/" + first, CLIENT);
        api.call(DELETE, "/v1/jobs/" + second, CLIENT);
        assertThat(api.call(DELETE, "/v1/kbs/busy", ADMIN).statusCode()).isEqualTo(204);
    }

    @Test
    void shouldRegisterARemovedKbAgainWithAnEmptyQueue() {
        register("again", ADMIN);
        String old = submit("again", "before").bodyAsJsonObject().getString("id");
        api.call(DELETE, "/v1/jobs/" + old, CLIENT);
        assertThat(api.call(DELETE, "/v1/kbs/again", ADMIN).statusCode()).isEqualTo(204);

        register("again", ADMIN);

        JsonObject queue = api.call(GET, "/v1/kbs/again/queue", CLIENT).bodyAsJsonObject();
        assertThat(queue.getJsonArray("waiters")).isEmpty();
        assertThat(queue.getValue("holder")).isNull();
        HttpResponse<Buffer> after = submit("again", "after");
        assertThat(after.statusCode()).isEqualTo(202);
        assertThat(api.call(GET, "/v1/jobs/" + old, CLIENT).statusCode()).isEqualTo(200);
        // the records kept by the removal last as long as any other KB's again
        assertThat(api.kbKeys("again").get("kbsync:{kb:again}:tickets")).isEqualTo(-1L);
        api.call(DELETE, "/v1/jobs/" + after.bodyAsJsonObject().getString("id"), CLIENT); // no later poll takes it
    }

    @Test
    void shouldLetAScopedAdminRemoveOnlyKbsInItsScope() {
        register("team-b-1", ADMIN);
        register("team-a-9", TEAM_ADMIN);

        assertError(api.call(DELETE, "/v1/kbs/team-b-1", TEAM_ADMIN), 403, "SCOPE_KB");
        assertThat(listed()).contains("team-b-1");
        assertError(api.call(DELETE, "/v1/kbs/team-a-9", CLIENT), 403, "FORBIDDEN");
        assertThat(api.call(DELETE, "/v1/kbs/team-a-9", TEAM_ADMIN).statusCode())
                .isEqualTo(204);
        assertThat(listed()).doesNotContain("team-a-9");
    }

    @Test
    void shouldTellTheEventStreamThatTheKbIsGone() throws Exception {
        register("streamed", ADMIN);
        try (RawStream events = api.rawStream("/v1/events", ADMIN)) {
            events.readUntil(text -> text.contains("\"kb\":\"streamed\""));

            assertThat(api.call(DELETE, "/v1/kbs/streamed", ADMIN).statusCode()).isEqualTo(204);

            assertThat(events.readUntil(text -> text.contains("event: kb-removed")))
                    .contains("event: kb-removed\ndata: {\"kb\":\"streamed\"}");
        }
    }

    @Test
    void shouldRemoveAKbWithTheJavaClient() {
        KbsyncClient admin = api.client(ADMIN);
        admin.registerKb(new KbConfig(KbId.of("by-client"), "https://git.example.com/c.git", "main"));
        String job = submit("by-client", "waits").bodyAsJsonObject().getString("id");

        assertThatThrownBy(() -> admin.deleteKb(KbId.of("by-client")))
                .isInstanceOfSatisfying(KbsyncException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("KB_BUSY");
                });
        api.call(DELETE, "/v1/jobs/" + job, CLIENT);
        admin.deleteKb(KbId.of("by-client"));

        assertThat(listed()).doesNotContain("by-client");
        assertThatThrownBy(() -> admin.deleteKb(KbId.of("by-client")))
                .isInstanceOfSatisfying(
                        KbsyncException.class, e -> assertThat(e.code()).isEqualTo("KB_NOT_FOUND"));
    }

    /**
     * Submitters keep sending notes while an operator cancels what they queued and removes the KB: every submit is
     * answered 202 or 404, a submitter answered 404 is never accepted again, and no job is left queued.
     */
    @Test
    void shouldQueueASubmitRacingWithTheRemovalOrRefuseIt() throws Exception {
        register("raced", ADMIN);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<Integer>>> submitters = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            int submitter = s;
            submitters.add(pool.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; !stop.get(); i++) {
                    HttpResponse<Buffer> r = submit("raced", "note " + submitter + "-" + i);
                    statuses.add(r.statusCode());
                    if (r.statusCode() == 202) {
                        accepted.add(r.bodyAsJsonObject().getString("id"));
                    }
                    Thread.sleep(ThreadLocalRandom.current().nextInt(150)); // bursts: the queue empties at times
                }
                return statuses;
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 3); // submits land before removals start
        Set<String> cancelled = new java.util.HashSet<>();
        int refusals = 0;
        long started = System.nanoTime();
        while (true) {
            for (String job : List.copyOf(accepted)) {
                if (cancelled.add(job)) {
                    api.call(DELETE, "/v1/jobs/" + job, CLIENT);
                }
            }
            HttpResponse<Buffer> removal = api.call(DELETE, "/v1/kbs/raced", ADMIN);
            if (removal.statusCode() == 204) {
                break;
            }
            assertError(removal, 409, "KB_BUSY");
            refusals++;
            if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(60)) {
                stop.set(true);
                throw new AssertionError("the KB was never idle for its removal in 60 s");
            }
        }
        Thread.sleep(1000); // submits keep coming after the removal
        stop.set(true);
        int refused = 0;
        for (Future<List<Integer>> submitter : submitters) {
            List<Integer> statuses = submitter.get(60, TimeUnit.SECONDS);
            assertThat(statuses).isSubsetOf(202, 404);
            refused += java.util.Collections.frequency(statuses, 404);
            int firstRefusal = statuses.indexOf(404);
            if (firstRefusal >= 0) {
                assertThat(statuses.subList(firstRefusal, statuses.size())).containsOnly(404);
            }
        }
        pool.shutdown();

        assertThat(refused).as("submits refused after the removal").isPositive();
        assertThat(api.kbKeys("raced")).doesNotContainKeys("kbsync:{kb:raced}:queue", "kbsync:{kb:raced}:conf");
        for (String job : accepted) {
            assertThat(api.call(GET, "/v1/jobs/" + job, CLIENT)
                            .bodyAsJsonObject()
                            .getString("state"))
                    .as(job)
                    .isEqualTo("cancelled");
        }
        System.out.printf(
                "race: %d accepted, %d refused 404, %d removals refused KB_BUSY before one succeeded%n",
                accepted.size(), refused, refusals);
    }

    /**
     * A KB that was read has a mirror, which watches the KB's queue for landings: its removal ends that watch (and its
     * event-bus consumers), not left for the process's life.
     */
    @Test
    void shouldStopWatchingTheQueueOfARemovedKbThatWasRead() {
        KbId kb = KbId.of("read-gone");
        HttpResponse<Buffer> put = api.call(
                PUT,
                "/v1/kbs/read-gone",
                ADMIN,
                new JsonObject()
                        .put("remote", "https://127.0.0.1:1/read-gone.git") // no one listens: the fetch fails at once
                        .put("branch", "main"));
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
        assertError(api.call(GET, "/v1/kbs/read-gone/tree", CLIENT), 503, "SNAPSHOT_UNAVAILABLE");
        Watchers watchers = api.services.engine.queues().watchers();
        assertThat(watchers.watchedKbs())
                .as("its mirror watches the KB's queue")
                .contains(kb);

        assertThat(api.call(DELETE, "/v1/kbs/read-gone", ADMIN).statusCode()).isEqualTo(204);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(watchers.watchedKbs()).doesNotContain(kb));
    }

    /**
     * A removal takes the KB out of the registry before its step, which refuses a KB in use and puts the registration
     * back: a worker's poll that claims one of the KB's jobs in that gap is not answered 404 (a worker never is). The
     * claim is given back uncounted, the poll answered without a job, and the job goes to a poll once the
     * registration is back.
     */
    @Test
    void shouldGiveBackAClaimMadeWhileARemovalHasTheKbOutOfTheRegistryAndAnswerThePollWithoutAJob() {
        register("gap", ADMIN);
        String job = submit("gap", "claimed in the gap").bodyAsJsonObject().getString("id");
        KbsyncClient worker = api.client(ApiFixture.WORKER);
        String registration = api.unlistKb("gap");

        assertThat(worker.poll("w-gap", Duration.ofMillis(300))).isEmpty();
        JsonObject waiting = api.call(GET, "/v1/jobs/" + job, CLIENT).bodyAsJsonObject();
        assertThat(waiting.getString("state")).isEqualTo("queued");
        assertThat(waiting.getInteger("attempts"))
                .as("the claim given back uncounted")
                .isZero();

        api.relistKb("gap", registration);
        Assignment next = worker.poll("w-gap", Duration.ofSeconds(5)).orElseThrow();
        assertThat(next.job().id()).isEqualTo(job);
        assertThat(next.job().attempts()).isEqualTo(1);
        assertThat(worker.giveBack("w-gap", next.lease().id())).isTrue();
        api.call(DELETE, "/v1/jobs/" + job, CLIENT);
    }

    private static void register(String kb, String token) {
        HttpResponse<Buffer> put = api.call(
                PUT,
                "/v1/kbs/" + kb,
                token,
                new JsonObject()
                        .put("remote", "https://git.example.com/" + kb + ".git")
                        .put("branch", "main"));
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    }

    private static HttpResponse<Buffer> submit(String kb, String text) {
        return api.call(
                POST,
                "/v1/kbs/" + kb + "/notes",
                CLIENT,
                new JsonObject().put("text", text).put("user", "alice"));
    }

    private static List<String> listed() {
        return api.call(GET, "/v1/kbs", ADMIN).bodyAsJsonObject().getJsonArray("kbs").stream()
                .map(kb -> ((JsonObject) kb).getString("id"))
                .toList();
    }
}
