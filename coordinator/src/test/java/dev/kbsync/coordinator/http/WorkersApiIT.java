package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.Coordinator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code PUT /v1/workers/{id}}, presence carried by a poll, and {@code GET /v1/workers}, on the real engine. */
class WorkersApiIT {
    private static final AtomicInteger ids = new AtomicInteger();

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_LEASE_TTL_SECONDS", "1"));

    static JsonObject presence() {
        return new JsonObject()
                .put("host", "srv-2.example")
                .put("version", "0.1.0-SNAPSHOT")
                .put("slots", 2)
                .put("idleSlots", 1)
                .put("draining", false)
                .put(
                        "running",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("slot", 2)
                                        .put("kb", "demo")
                                        .put("jobId", "7f3c9a")
                                        .put("since", "2026-11-29T07:00:05Z")))
                .put(
                        "checkouts",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("kb", "demo")
                                        .put("commit", "9d1e0c4")
                                        .put("at", "2026-11-29T07:00:00Z")))
                .put("startedAt", "2026-11-29T06:00:00Z")
                .put("kinds", new JsonArray().add("note"));
    }

    @Test
    void shouldRenewWithPutAndListTheWorkerForAnyToken() {
        String id = nextId();
        HttpResponse<Buffer> renewed = api.call(PUT, "/v1/workers/" + id, WORKER, presence());

        assertThat(renewed.statusCode()).as(renewed.bodyAsString()).isEqualTo(200);
        JsonObject record = renewed.bodyAsJsonObject();
        assertThat(record.getString("id")).isEqualTo(id);
        assertThat(record.getString("state")).isEqualTo("up");
        Instant seen = Instant.parse(record.getString("lastSeen"));
        assertThat(Duration.between(seen, Instant.parse(record.getString("expiresAt"))))
                .isEqualTo(Duration.ofSeconds(1));
        for (String token : List.of(CLIENT, WORKER, ADMIN)) {
            JsonObject listed = listed(token, id);
            assertThat(listed).as("every role reads the workers view").isNotNull();
            JsonObject expected = presence()
                    .put("id", id)
                    .put("state", "up")
                    .put("lastSeen", record.getString("lastSeen"))
                    .put("expiresAt", record.getString("expiresAt"));
            assertThat(listed).isEqualTo(expected);
        }
    }

    @Test
    void shouldRenewThePresenceAPollCarries() {
        String id = nextId();
        JsonObject body =
                new JsonObject().put("waitMs", 0).put("presence", presence().put("idleSlots", 0));

        HttpResponse<Buffer> polled = api.call(POST, "/v1/workers/" + id + "/poll", WORKER, body);

        assertThat(polled.statusCode()).as(polled.bodyAsString()).isEqualTo(204);
        JsonObject listed = listed(CLIENT, id);
        assertThat(listed.getString("state")).isEqualTo("up");
        assertThat(listed.getInteger("idleSlots")).isZero();
    }

    @Test
    void shouldAnswerAPollInFlightAtOnceWhenItsWorkerSaysItDrainsAndLeaveLaterPollsAlone() throws Exception {
        String id = nextId();
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<Buffer>> inFlight = longPoll(api.request(POST, pollPath(id), WORKER), id);

        assertThat(api.call(PUT, "/v1/workers/" + id, WORKER, presence().put("draining", true))
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<Buffer> answered = inFlight.get(10, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        assertThat(answered.statusCode()).as(answered.bodyAsString()).isEqualTo(204);
        assertThat(took)
                .as("a draining worker's stop does not wait out its poll's waitMs")
                .isLessThan(Duration.ofSeconds(5));
        long again = System.nanoTime();
        HttpResponse<Buffer> later =
                api.call(POST, "/v1/workers/" + id + "/poll", WORKER, new JsonObject().put("waitMs", 1_000));
        assertThat(later.statusCode()).isEqualTo(204);
        assertThat(Duration.ofNanos(System.nanoTime() - again))
                .as("a poll sent after the drain (the same id started again) waits as asked")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void shouldAnswerAPollThatSaysItsWorkerDrainsAtOnceAndEndItsOtherPolls() throws Exception {
        String id = nextId();
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<Buffer>> inFlight = longPoll(api.request(POST, pollPath(id), WORKER), id);

        HttpResponse<Buffer> last = api.call(
                POST,
                "/v1/workers/" + id + "/poll",
                WORKER,
                new JsonObject()
                        .put("waitMs", 20_000)
                        .put("presence", presence().put("draining", true)));

        assertThat(last.statusCode())
                .as("a poll sent as the stop began, after its drain")
                .isEqualTo(204);
        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        assertThat(listed(CLIENT, id).getBoolean("draining")).isTrue();
    }

    @Test
    void shouldAnswerAPollWaitingAtAnotherCoordinatorAtOnceWhenItsWorkerSaysItDrainsHere() throws Exception {
        Coordinator other = api.another(Map.of("KBSYNC_COORDINATOR_ID", "drain-2"));
        try {
            Thread.sleep(1500); // the coordinators have heard each other's presence (a drain is told to known peers)
            String id = nextId();
            long sent = System.nanoTime();
            CompletableFuture<HttpResponse<Buffer>> inFlight =
                    longPoll(api.request(other.port(), POST, pollPath(id), WORKER), id);

            assertThat(api.call(PUT, "/v1/workers/" + id, WORKER, presence().put("draining", true))
                            .statusCode())
                    .isEqualTo(200);

            HttpResponse<Buffer> answered = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).as(answered.bodyAsString()).isEqualTo(204);
            assertThat(Duration.ofNanos(System.nanoTime() - sent))
                    .as("ended through the coordinators' pub/sub, not waited out")
                    .isLessThan(Duration.ofSeconds(5));
        } finally {
            other.stop().await();
        }
    }

    @Test
    void shouldListTheKindsOfJobAWorkerRunsAndEveryKindForAWorkerThatDoesNotSay() {
        String noAgent = nextId();
        api.call(PUT, "/v1/workers/" + noAgent, WORKER, presence());
        String older = nextId();
        api.call(PUT, "/v1/workers/" + older, WORKER, remove(presence(), "kinds"));

        assertThat(listed(CLIENT, noAgent).getJsonArray("kinds")).isEqualTo(new JsonArray().add("note"));
        assertThat(listed(CLIENT, older).getJsonArray("kinds"))
                .isEqualTo(new JsonArray().add("note").add("agent"));
    }

    @Test
    void shouldShowAWorkerThatStoppedRenewingAsGoneWithinOneLeaseTtl() {
        String id = nextId();
        api.call(PUT, "/v1/workers/" + id, WORKER, presence());
        long renewed = System.nanoTime();

        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "gone".equals(listed(CLIENT, id).getString("state")));
        assertThat(Duration.ofNanos(System.nanoTime() - renewed)).isLessThan(Duration.ofMillis(1500));

        api.call(PUT, "/v1/workers/" + id, WORKER, presence());
        assertThat(listed(CLIENT, id).getString("state"))
                .as("a renewal brings it back")
                .isEqualTo("up");
    }

    @Test
    void shouldCheckRolesAndTheWorkerId() {
        assertError(api.call(PUT, "/v1/workers/" + nextId(), CLIENT, presence()), 403, "FORBIDDEN");
        assertError(api.call(GET, "/v1/workers", null), 401, "UNAUTHENTICATED");
        assertError(api.call(PUT, "/v1/workers/bad%20id", WORKER, presence()), 400, "INVALID_WORKER");
    }

    static Stream<Arguments> badPresences() {
        return Stream.of(
                bad("UNKNOWN_FIELD", p -> p.put("colour", "blue")),
                bad("MISSING_FIELD", p -> remove(p, "host")),
                bad("MISSING_FIELD", p -> remove(p, "startedAt")),
                bad("INVALID_FIELD", p -> p.put("host", "srv 2")),
                bad("INVALID_FIELD", p -> p.put("version", "")),
                bad("INVALID_FIELD", p -> p.put("slots", 0)),
                bad("INVALID_FIELD", p -> p.put("slots", 65)),
                bad("INVALID_FIELD", p -> p.put("slots", "2")),
                bad("INVALID_FIELD", p -> p.put("idleSlots", 3)),
                bad("INVALID_FIELD", p -> p.put("idleSlots", -1)),
                bad("INVALID_FIELD", p -> p.put("idleSlots", 2)),
                bad("INVALID_FIELD", p -> p.put("draining", "no")),
                bad("INVALID_FIELD", p -> p.put("startedAt", "yesterday")),
                bad("INVALID_FIELD", p -> p.put("running", "slot 2")),
                bad("INVALID_FIELD", p -> running(p).put("slot", 3)),
                bad("INVALID_FIELD", p -> running(p).put("since", "2026-11-29")),
                bad("INVALID_KB", p -> running(p).put("kb", "Team Notes")),
                bad("INVALID_JOB_ID", p -> running(p).put("jobId", "a/b")),
                bad("UNKNOWN_FIELD", p -> running(p).put("lease", "x")),
                bad("MISSING_FIELD", p -> remove(running(p), "jobId")),
                bad("INVALID_FIELD", p -> checkout(p).put("commit", "HEAD")),
                bad("INVALID_FIELD", p -> p.put("kinds", new JsonArray())),
                bad("INVALID_FIELD", p -> p.put("kinds", new JsonArray().add("robot"))),
                bad(
                        "INVALID_FIELD",
                        p -> p.put("kinds", new JsonArray().add("note").add("note"))),
                bad("INVALID_FIELD", p -> p.put("kinds", "note")),
                bad("INVALID_FIELD", p -> p.put("kinds", new JsonArray().add(1))),
                bad("INVALID_FIELD", p -> checkout(p).put("at", 5)),
                bad(
                        "INVALID_FIELD",
                        p -> p.getJsonArray("checkouts").add(checkout(p).copy())));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badPresences")
    void shouldRefuseABadPresenceAndStoreNothing(String code, String body) {
        String viaPut = nextId();
        assertError(api.call(PUT, "/v1/workers/" + viaPut, WORKER, new JsonObject(body)), 400, code);
        String viaPoll = nextId();
        JsonObject poll = new JsonObject().put("waitMs", 0).put("presence", new JsonObject(body));
        assertError(api.call(POST, "/v1/workers/" + viaPoll + "/poll", WORKER, poll), 400, code);

        JsonArray workers =
                api.call(GET, "/v1/workers", CLIENT).bodyAsJsonObject().getJsonArray("workers");
        assertThat(workers.stream().map(w -> ((JsonObject) w).getString("id"))).doesNotContain(viaPut, viaPoll);
    }

    private static Arguments bad(String code, Consumer<JsonObject> change) {
        JsonObject body = presence();
        change.accept(body);
        return Arguments.of(code, body.encode());
    }

    private static JsonObject remove(JsonObject json, String field) {
        json.remove(field);
        return json;
    }

    private static JsonObject running(JsonObject presence) {
        return presence.getJsonArray("running").getJsonObject(0);
    }

    private static JsonObject checkout(JsonObject presence) {
        return presence.getJsonArray("checkouts").getJsonObject(0);
    }

    private static JsonObject listed(String token, String id) {
        HttpResponse<Buffer> response = api.call(GET, "/v1/workers", token);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        return response.bodyAsJsonObject().getJsonArray("workers").stream()
                .map(JsonObject.class::cast)
                .filter(w -> id.equals(w.getString("id")))
                .findFirst()
                .orElse(null);
    }

    private static String pollPath(String id) {
        return "/v1/workers/" + id + "/poll";
    }

    /** Sends a 20 s poll carrying the worker's presence; returns once it is at the coordinator (it renewed that). */
    private static CompletableFuture<HttpResponse<Buffer>> longPoll(HttpRequest<Buffer> request, String id) {
        CompletableFuture<HttpResponse<Buffer>> answer = request.sendJsonObject(
                        new JsonObject().put("waitMs", 20_000).put("presence", presence()))
                .toCompletionStage()
                .toCompletableFuture();
        awaitArrived(id);
        return answer;
    }

    private static void awaitArrived(String id) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> listed(CLIENT, id) != null);
    }

    private static String nextId() {
        return "w-" + ids.incrementAndGet();
    }
}
