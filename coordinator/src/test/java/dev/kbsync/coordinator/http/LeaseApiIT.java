package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.HeldLease;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.Orphans;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeaseApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    private static JsonObject request(String kb, JsonObject body) {
        HttpResponse<Buffer> response = api.call(POST, "/v1/kbs/" + kb + "/leases", CLIENT, body);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
        assertThat(response.getHeader("Location"))
                .isEqualTo("/v1/leases/" + response.bodyAsJsonObject().getString("id"));
        return response.bodyAsJsonObject();
    }

    @Test
    void shouldGrantThenQueueThenReleaseLeases() {
        api.call(
                PUT_KB,
                "/v1/kbs/leases-a",
                ADMIN,
                new JsonObject().put("remote", "/srv/a.git").put("branch", "main"));
        JsonObject first =
                request("leases-a", new JsonObject().put("holder", "batch-1").put("ttlMs", 5000));
        JsonObject second = request("leases-a", new JsonObject().put("holder", "batch-2"));

        assertThat(first.getString("state")).isEqualTo("granted");
        assertThat(first.getLong("ttlMs")).isEqualTo(5000L);
        assertThat(first.getLong("fencingToken")).isNotNull();
        assertThat(second.getString("state")).isEqualTo("waiting");
        assertThat(second.getLong("ahead")).isEqualTo(1L);
        assertThat(second.getLong("ttlMs")).isEqualTo(ApiFixture.LEASE_TTL_MS);
        assertThat(first.getString("deadlineAt")).isNotNull();

        String id = first.getString("id");
        assertThat(api.call(GET, "/v1/leases/" + id, WORKER).bodyAsJsonObject()).isEqualTo(first);
        assertThat(api.call(POST, "/v1/leases/" + id + "/heartbeat", CLIENT).statusCode())
                .isEqualTo(200);
        assertThat(api.call(POST, "/v1/leases/" + id + "/heartbeat", WORKER).statusCode())
                .isEqualTo(200);
        HttpResponse<Buffer> released = api.call(DELETE, "/v1/leases/" + id, CLIENT);
        assertThat(released.bodyAsJsonObject().getString("state")).isEqualTo("released");
        assertError(api.call(POST, "/v1/leases/" + id + "/heartbeat", CLIENT), 409, "LEASE_LOST");
    }

    private static final io.vertx.core.http.HttpMethod PUT_KB = io.vertx.core.http.HttpMethod.PUT;

    @Test
    void shouldAnswer404ForUnknownLeasesAnd400ForBadIds() {
        assertError(api.call(GET, "/v1/leases/missing", CLIENT), 404, "LEASE_NOT_FOUND");
        assertError(api.call(DELETE, "/v1/leases/missing", CLIENT), 404, "LEASE_NOT_FOUND");
        assertError(api.call(GET, "/v1/leases/a%20b", CLIENT), 400, "INVALID_LEASE_ID");
    }

    /** A lease id is opaque: one whose KB part is no KB name is not found, on every route, not 400 INVALID_KB. */
    @Test
    void shouldAnswer404ForALeaseIdWhoseKbPartIsNoKbNameOnEveryRoute() {
        for (String id : List.of("BAD~x", "no-such-kb~x")) {
            assertError(api.call(GET, "/v1/leases/" + id, CLIENT), 404, "LEASE_NOT_FOUND");
            assertError(api.call(GET, "/v1/leases/" + id + "/events", CLIENT), 404, "LEASE_NOT_FOUND");
            assertError(api.call(DELETE, "/v1/leases/" + id, CLIENT), 404, "LEASE_NOT_FOUND");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 999, 300_001})
    void shouldRejectTtlOutsideOneSecondToMaxHold(long ttlMs) {
        long calls = api.services.calls.get();
        HttpResponse<Buffer> response = api.call(
                POST,
                "/v1/kbs/demo/leases",
                CLIENT,
                new JsonObject().put("holder", "h").put("ttlMs", ttlMs));
        assertError(response, 400, "INVALID_TTL");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRejectBadHoldersAndFields() {
        assertError(
                api.call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject().put("holder", "a b")),
                400,
                "INVALID_HOLDER");
        assertError(api.call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject()), 400, "MISSING_FIELD");
        assertError(
                api.call(
                        POST,
                        "/v1/kbs/demo/leases",
                        CLIENT,
                        new JsonObject().put("holder", "h").put("ttlMs", "5s")),
                400,
                "INVALID_FIELD");
        assertError(
                api.call(
                        POST,
                        "/v1/kbs/demo/leases",
                        CLIENT,
                        new JsonObject().put("holder", "h").put("ttlMs", 1.5)),
                400,
                "INVALID_FIELD");
    }

    /**
     * A job's grant lives by its worker's heartbeats alone: someone watching the job's lease through its event stream
     * does not keep it alive (only a raw lease's own stream does), so a silent worker's job goes back after the TTL.
     */
    @Test
    void shouldNotKeepAJobsGrantAliveWhileItsLeaseStreamIsOpen() throws Exception {
        api.call(
                PUT_KB,
                "/v1/kbs/watched-job",
                ADMIN,
                new JsonObject().put("remote", "/srv/watched.git").put("branch", "main"));
        HttpResponse<Buffer> submitted = api.call(
                POST,
                "/v1/kbs/watched-job/notes",
                CLIENT,
                new JsonObject().put("user", "u").put("text", "t"));
        assertThat(submitted.statusCode()).as(submitted.bodyAsString()).isEqualTo(202);
        String jobId = submitted.bodyAsJsonObject().getString("id");
        HttpResponse<Buffer> polled =
                api.call(POST, "/v1/workers/silent/poll", WORKER, new JsonObject().put("waitMs", 5000));
        assertThat(polled.statusCode()).as(polled.bodyAsString()).isEqualTo(200);
        String jobLease = polled.bodyAsJsonObject().getJsonObject("lease").getString("id");

        try (RawStream events = api.rawStream("/v1/leases/" + jobLease + "/events", CLIENT)) {
            assertThat(events.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(api.call(GET, "/v1/jobs/" + jobId, CLIENT)
                                    .bodyAsJsonObject()
                                    .getString("state"))
                            .as("the job of a worker silent for more than the TTL (%d ms)", ApiFixture.LEASE_TTL_MS)
                            .isEqualTo("queued"));
            assertEndsWith(events, jobLease, "expired");
        }
    }

    /** A job's lease streams as a raw lease's does: it ends with released once the job's outcome ended its grant. */
    @Test
    void shouldEndAJobsLeaseStreamWhenItsOutcomeReleasesTheGrant() throws Exception {
        api.kb("released-job");
        HttpResponse<Buffer> submitted = api.call(
                POST,
                "/v1/kbs/released-job/notes",
                CLIENT,
                new JsonObject().put("user", "u").put("text", "t"));
        assertThat(submitted.statusCode()).as(submitted.bodyAsString()).isEqualTo(202);
        JsonObject assignment;
        do { // a job another test left queued goes first: it is done too
            HttpResponse<Buffer> polled =
                    api.call(POST, "/v1/workers/finisher/poll", WORKER, new JsonObject().put("waitMs", 5000));
            assertThat(polled.statusCode()).as(polled.bodyAsString()).isEqualTo(200);
            assignment = polled.bodyAsJsonObject();
        } while (!assignment.getJsonObject("job").getString("kb").equals("released-job") && report(assignment));
        String jobLease = assignment.getJsonObject("lease").getString("id");

        try (RawStream events = api.rawStream("/v1/leases/" + jobLease + "/events", CLIENT)) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.readUntil(text -> text.contains("\"state\":\"granted\"")))
                    .contains("\"state\":\"granted\"");
            report(assignment);
            assertEndsWith(events, jobLease, "released");
        }
    }

    /** Reports {@code assignment}'s job done; true. */
    private static boolean report(JsonObject assignment) {
        JsonObject done = new JsonObject()
                .put("leaseId", assignment.getJsonObject("lease").getString("id"))
                .put("state", "done");
        HttpResponse<Buffer> answer =
                api.call(POST, "/v1/jobs/" + assignment.getJsonObject("job").getString("id") + "/result", WORKER, done);
        assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
        return true;
    }

    /** The lease stream ended, its last event the lease's {@code state}. */
    private static void assertEndsWith(RawStream events, String leaseId, String state) {
        String text = events.readAll();
        assertThat(events.ended()).as("the stream ended: %s", text).isTrue();
        assertThat(text.substring(text.lastIndexOf("event: ")))
                .as("the stream's last event: %s", text)
                .startsWith("event: state\n")
                .contains("\"id\":\"" + leaseId + "\"")
                .contains("\"state\":\"" + state + "\"");
    }

    @Test
    void shouldForceReleaseAsAdminAnd404ForUnknownKb() {
        api.call(
                PUT_KB,
                "/v1/kbs/leases-b",
                ADMIN,
                new JsonObject().put("remote", "/srv/b.git").put("branch", "main"));
        String id = request("leases-b", new JsonObject().put("holder", "stuck")).getString("id");

        HttpResponse<Buffer> response = api.call(POST, "/v1/admin/kbs/leases-b/force-release", ADMIN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsJsonObject())
                .isEqualTo(new JsonObject().put("kb", "leases-b").put("released", true));
        assertThat(api.call(GET, "/v1/leases/" + id, CLIENT).bodyAsJsonObject().getString("state"))
                .isEqualTo("released");
        assertError(api.call(POST, "/v1/admin/kbs/nothing/force-release", ADMIN), 404, "KB_NOT_FOUND");
    }

    @Test
    void shouldStreamLeaseEventsAndKeepTheLeaseAliveWhileTheStreamIsOpen() {
        api.call(
                PUT_KB,
                "/v1/kbs/leases-c",
                ADMIN,
                new JsonObject().put("remote", "/srv/c.git").put("branch", "main"));
        request("leases-c", new JsonObject().put("holder", "first"));
        String id =
                request("leases-c", new JsonObject().put("holder", "second")).getString("id");

        try (EventStream<LeaseEvent> events = api.client(CLIENT).leaseEvents(id)) {
            LeaseEvent first = events.next(Duration.ofSeconds(20));
            assertThat(first).isInstanceOf(LeaseEvent.State.class);
            assertThat(first.lease().state()).isEqualTo(LeaseState.WAITING);
            await().atMost(Duration.ofSeconds(20)).until(() -> api.services.keptAlive.get() == 1);

            api.call(DELETE, "/v1/leases/" + id, CLIENT);

            List<LeaseEvent> rest = new ArrayList<>();
            events.forEach(rest::add);
            LeaseEvent last = rest.get(rest.size() - 1);
            assertThat(last.name()).isEqualTo("state");
            assertThat(last.lease().state()).isEqualTo(LeaseState.RELEASED);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> api.services.keptAlive.get() == 0);
    }

    @Test
    void shouldAnswer404BeforeStreamingAnUnknownLease() {
        assertThatThrownBy(() -> api.client(CLIENT).leaseEvents("nope"))
                .isInstanceOf(KbsyncException.NotFound.class)
                .hasMessageStartingWith("LEASE_NOT_FOUND");
    }

    /** Registers {@code kb} and takes its lease for a minute (holder "first"); the lease id. */
    private static String registerHeld(String kb) {
        register(kb);
        return request(kb, new JsonObject().put("holder", "first").put("ttlMs", 60_000))
                .getString("id");
    }

    private static void register(String kb) {
        api.call(
                PUT_KB,
                "/v1/kbs/" + kb,
                ADMIN,
                new JsonObject().put("remote", "/srv/" + kb + ".git").put("branch", "main"));
    }

    @Test
    void shouldAnswerALongPolledRequestAtItsGrantWithItsWholeTtl() {
        String held = registerHeld("leases-wait-a");
        long sent = System.nanoTime();
        Future<HttpResponse<Buffer>> waiting = api.request(POST, "/v1/kbs/leases-wait-a/leases", CLIENT)
                .sendJsonObject(new JsonObject()
                        .put("holder", "second")
                        .put("ttlMs", 60_000)
                        .put("waitMs", 20_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.services.keptAlive.get() == 1);
        assertThat(waiting.isComplete()).as("answered before the grant").isFalse();

        api.call(DELETE, "/v1/leases/" + held, CLIENT);
        HttpResponse<Buffer> answer = waiting.await();

        assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
        JsonObject lease = answer.bodyAsJsonObject();
        assertThat(lease.getString("state")).isEqualTo("granted");
        assertThat(answer.getHeader("Location")).isEqualTo("/v1/leases/" + lease.getString("id"));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(15));
        // heartbeaten at the grant: it holds for its TTL, not only until the waiter's last keep-alive deadline
        assertThat(Duration.between(Instant.now(), Instant.parse(lease.getString("expiresAt"))))
                .isGreaterThan(Duration.ofSeconds(50));
        await().atMost(Duration.ofSeconds(5)).until(() -> api.services.keptAlive.get() == 0);
        api.call(DELETE, "/v1/leases/" + lease.getString("id"), CLIENT);
    }

    @Test
    void shouldAnswerALongPolledRequestStillWaitingOnceItsWaitIsOver() {
        String held = registerHeld("leases-wait-b");
        long sent = System.nanoTime();

        JsonObject lease = request(
                "leases-wait-b", new JsonObject().put("holder", "second").put("waitMs", 3_000));

        assertThat(lease.getString("state")).as(lease.encode()).isEqualTo("waiting");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
        assertThat(lease.getLong("ahead")).isEqualTo(1L);
        // kept alive while it waited (3 s, over the 2 s waiter TTL): still in the queue
        assertThat(api.call(GET, "/v1/leases/" + lease.getString("id"), CLIENT)
                        .bodyAsJsonObject()
                        .getString("state"))
                .isEqualTo("waiting");
        await().atMost(Duration.ofSeconds(5)).until(() -> api.services.keptAlive.get() == 0);
        api.call(DELETE, "/v1/leases/" + lease.getString("id"), CLIENT);
        api.call(DELETE, "/v1/leases/" + held, CLIENT);
    }

    @Test
    void shouldAnswerAGrantAtOnceEvenWithAWait() {
        register("leases-wait-c");
        long sent = System.nanoTime();

        JsonObject lease =
                request("leases-wait-c", new JsonObject().put("holder", "only").put("waitMs", 20_000));

        assertThat(lease.getString("state")).isEqualTo("granted");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        assertThat(api.services.keptAlive.get()).isZero();
        api.call(DELETE, "/v1/leases/" + lease.getString("id"), CLIENT);
    }

    @Test
    void shouldReleaseTheLeaseOfALongPollWhoseClientLeft() {
        String held = registerHeld("leases-wait-d");
        Future<HttpResponse<Buffer>> gone = api.request(POST, "/v1/kbs/leases-wait-d/leases", CLIENT)
                .idleTimeout(1_000)
                .sendJsonObject(new JsonObject().put("holder", "gone").put("waitMs", 20_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.services.keptAlive.get() == 1);
        JsonArray waiters = api.call(GET, "/v1/kbs/leases-wait-d/queue", CLIENT)
                .bodyAsJsonObject()
                .getJsonArray("waiters");
        assertThat(waiters).hasSize(1);
        String id = "leases-wait-d~" + waiters.getJsonObject(0).getString("ticketId");
        await().atMost(Duration.ofSeconds(10)).until(gone::isComplete);
        assertThat(gone.failed()).as("the client gave up").isTrue();

        // cancelled at once (released), not left to lapse after the waiter TTL (expired): nobody knows its id
        await().atMost(Duration.ofSeconds(5)).until(() -> api.services.keptAlive.get() == 0);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "released"
                        .equals(api.call(GET, "/v1/leases/" + id, CLIENT)
                                .bodyAsJsonObject()
                                .getString("state")));
        api.call(DELETE, "/v1/leases/" + held, CLIENT);
    }

    @Test
    void shouldReleaseTheLeaseOfALongPollThatFailedWhileItWaited() {
        // its client never learned the waiting lease's id: it leaves the queue at once, not after the waiter TTL (4 s)
        failALongPollOnBoomThenAwaitNoWaiters(Duration.ofSeconds(2));
    }

    /**
     * Holds KB boom, sends a long-polled request behind the holder (the test services fail every read of a lease of
     * boom: the wait's first read of its lease fails, answered 500), waits at most {@code within} for the queue to have
     * no waiter, then releases the holder. Returns how many injected release failures were left unused at that point.
     */
    private static int failALongPollOnBoomThenAwaitNoWaiters(Duration within) {
        String held = request("boom", new JsonObject().put("holder", "first").put("ttlMs", 60_000))
                .getString("id");
        try {
            HttpResponse<Buffer> failed = api.call(
                    POST,
                    "/v1/kbs/boom/leases",
                    CLIENT,
                    new JsonObject().put("holder", "waiter").put("waitMs", 10_000));
            assertThat(failed.statusCode()).as(failed.bodyAsString()).isEqualTo(500);
            await().atMost(within)
                    .until(() -> api.call(GET, "/v1/kbs/boom/queue", CLIENT)
                            .bodyAsJsonObject()
                            .getJsonArray("waiters")
                            .isEmpty());
            return api.services.unavailableReleases.get();
        } finally {
            api.services.unavailableReleases.set(0);
            api.call(DELETE, "/v1/leases/" + held, CLIENT);
        }
    }

    @Test
    void shouldReleaseTheLeaseOfAFailedLongPollAgainWhileRedisDoesNotAnswer() {
        api.services.unavailableReleases.set(2); // the release of the orphaned waiter meets Redis down, twice
        // released once Redis answers again, before the waiter TTL (4 s) would have let it go
        assertThat(failALongPollOnBoomThenAwaitNoWaiters(Duration.ofMillis(2_500)))
                .as("release failures left unused")
                .isZero();
    }

    @Test
    void shouldReleaseALeaseGrantedAfterItsClientLeft() {
        register("late-answer");
        api.services.lateAnswer = Duration.ofMillis(1_500); // Redis answers the request after its client left
        try {
            Future<HttpResponse<Buffer>> gone = api.request(POST, "/v1/kbs/late-answer/leases", CLIENT)
                    .idleTimeout(300)
                    .sendJsonObject(new JsonObject().put("holder", "gone").put("ttlMs", 60_000));
            await().atMost(Duration.ofSeconds(5)).until(gone::isComplete);
            assertThat(gone.failed()).as("the client gave up").isTrue();

            // granted, and released once its answer could not be sent: the KB is not held for the lease's 60 s
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> api.call(GET, "/v1/kbs/late-answer/queue", CLIENT)
                                    .bodyAsJsonObject()
                                    .getValue("holder")
                            == null);
        } finally {
            api.services.lateAnswer = Duration.ZERO;
        }
    }

    /** The same for a long poll: its waiter leaves the queue at once, not when its wait (20 s here) runs out. */
    @Test
    void shouldReleaseAWaiterWhoseLongPollsClientLeftBeforeRedisAnswered() {
        String held = registerHeld("late-answer");
        api.services.lateAnswer = Duration.ofMillis(1_500); // Redis answers the request after its client left
        try {
            Future<HttpResponse<Buffer>> gone = api.request(POST, "/v1/kbs/late-answer/leases", CLIENT)
                    .idleTimeout(300)
                    .sendJsonObject(new JsonObject().put("holder", "gone").put("waitMs", 20_000));
            await().atMost(Duration.ofSeconds(5)).until(gone::isComplete);
            assertThat(gone.failed()).as("the client gave up").isTrue();

            await().atMost(Duration.ofSeconds(6))
                    .until(() -> api.call(GET, "/v1/kbs/late-answer/queue", CLIENT)
                            .bodyAsJsonObject()
                            .getJsonArray("waiters")
                            .isEmpty());
        } finally {
            api.services.lateAnswer = Duration.ZERO;
            api.call(DELETE, "/v1/leases/" + held, CLIENT);
        }
    }

    @Test
    void shouldCallALongPollsRequesterOnlyOnTheRequestsOwnContext() throws Exception {
        String held = registerHeld("leases-wait-ctx");
        CoordinatorServices services = api.services.engine;
        Lease waiting = services.leases()
                .request(KbId.of("leases-wait-ctx"), "second", Duration.ofSeconds(60))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(waiting.state()).isEqualTo(LeaseState.WAITING);
        // granted before the wait starts: the wait's first read of the lease (an engine future) finds the grant
        api.call(DELETE, "/v1/leases/" + held, CLIENT);
        Context context = api.vertx.getOrCreateContext();
        List<String> elsewhere = new CopyOnWriteArrayList<>();
        CompletableFuture<Lease> answered = new CompletableFuture<>();
        LeaseWait.Requester requester = new LeaseWait.Requester() {
            private void check(String call) {
                if (Vertx.currentContext() != context) {
                    elsewhere.add(call + " on " + Thread.currentThread().getName());
                }
            }

            @Override
            public Vertx vertx() {
                return api.vertx;
            }

            @Override
            public boolean gone() {
                check("gone");
                return false;
            }

            @Override
            public void onGone(Runnable then) {
                check("onGone");
            }

            @Override
            public void answer(Lease lease) {
                check("answer");
                answered.complete(lease);
            }

            @Override
            public void fail(Throwable failure) {
                check("fail");
                answered.completeExceptionally(failure);
            }

            @Override
            public void position(Lease lease) {
                check("position");
            }
        };

        context.runOnContext(v -> LeaseWait.await(
                requester,
                services.leases(),
                new Orphans(api.vertx, services.leases(), Duration.ofMinutes(1)),
                services.queues().watchers(),
                waiting,
                Duration.ofSeconds(10)));

        assertThat(answered.get(10, TimeUnit.SECONDS).state()).isEqualTo(LeaseState.GRANTED);
        assertThat(elsewhere).as("requester calls off the request's context").isEmpty();
        api.call(DELETE, "/v1/leases/" + waiting.id(), CLIENT);
    }

    @Test
    void shouldReleaseTheLeaseOfARequestAnsweredWithAnErrorAfterItsStepRan() {
        register("leases-unconfirmed");
        // This Redis has no replica: every write of a coordinator that waits for one runs, then answers 503.
        Coordinator waiting = api.another(Map.of(
                "KBSYNC_COORDINATOR_ID", "leases-r",
                "KBSYNC_REDIS_WAIT_REPLICAS", "1",
                "KBSYNC_REDIS_WAIT_TIMEOUT_MILLIS", "100"));
        try {
            var answer = io.vertx.ext.web.client.WebClient.create(api.vertx)
                    .request(POST, waiting.port(), "127.0.0.1", "/v1/kbs/leases-unconfirmed/leases")
                    .bearerTokenAuthentication(CLIENT)
                    .sendJsonObject(new JsonObject().put("holder", "h").put("ttlMs", 60_000))
                    .await();
            assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(503);

            await().atMost(Duration.ofSeconds(5))
                    .alias("nobody learned the lease's id: it is released, not held for its TTL")
                    .until(() -> api.call(GET, "/v1/kbs/leases-unconfirmed/queue", CLIENT)
                                    .bodyAsJsonObject()
                                    .getValue("holder")
                            == null);
        } finally {
            waiting.stop().await();
        }
    }

    @Test
    void shouldAnswerALongPollAtAGrantMadeByAnotherCoordinator() {
        register("leases-wait-f");
        Coordinator other = api.another(Map.of("KBSYNC_COORDINATOR_ID", "leases-2"));
        try {
            KbsyncClient here = api.client(CLIENT);
            KbsyncClient there = api.client(other.port(), CLIENT);
            Lease held = there.requestLease(
                    KbId.of("leases-wait-f"), LeaseRequest.of("first").withTtl(Duration.ofMinutes(1)));
            CompletableFuture<Lease> waiting = CompletableFuture.supplyAsync(() -> here.requestLease(
                    KbId.of("leases-wait-f"), LeaseRequest.of("second").withWait(Duration.ofSeconds(20))));
            await().atMost(Duration.ofSeconds(10)).until(() -> api.services.keptAlive.get() == 1);

            there.release(held.id()); // the grant is made by the other coordinator's release step

            Lease granted = waiting.join();
            assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
            assertThat(granted.holder()).isEqualTo("second");
            here.release(granted.id());
        } finally {
            other.stop().await();
        }
    }

    @Test
    void shouldHoldALeasePastItsTtlThroughTheJavaClientAndReleaseItOnClose() throws Exception {
        register("leases-hold-a");
        KbsyncClient client = api.client(CLIENT);
        Lease first = client.requestLease(
                KbId.of("leases-hold-a"), LeaseRequest.of("first").withTtl(Duration.ofMinutes(1)));
        CompletableFuture<HeldLease> holding = CompletableFuture.supplyAsync(() -> client.hold(
                KbId.of("leases-hold-a"),
                LeaseRequest.of("holder").withTtl(Duration.ofSeconds(1)),
                Duration.ofSeconds(20)));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.services.keptAlive.get() == 1);
        client.release(first.id());

        String id;
        try (HeldLease held = holding.get(20, TimeUnit.SECONDS)) {
            id = held.lease().id();
            assertThat(held.fencingToken()).isGreaterThan(first.fencingToken());
            Thread.sleep(2_500); // over two TTLs: kept by the heartbeats
            assertThat(client.lease(id).state()).isEqualTo(LeaseState.GRANTED);
            assertThat(held.lost()).isFalse();
        }
        assertThat(client.lease(id).state()).isEqualTo(LeaseState.RELEASED);
    }

    @Test
    void shouldLeaveTheQueueWhenAJavaHoldTimesOut() {
        register("leases-hold-b");
        KbsyncClient client = api.client(CLIENT);
        Lease first = client.requestLease(
                KbId.of("leases-hold-b"), LeaseRequest.of("first").withTtl(Duration.ofMinutes(1)));

        assertThatThrownBy(
                        () -> client.hold(KbId.of("leases-hold-b"), LeaseRequest.of("late"), Duration.ofMillis(1_500)))
                .isInstanceOf(KbsyncException.TimedOut.class);

        assertThat(client.queue(KbId.of("leases-hold-b")).waiters()).isEmpty();
        client.release(first.id());
    }

    @Test
    void shouldSayWhenAHeldLeaseIsLost() throws Exception {
        register("leases-hold-c");
        KbsyncClient client = api.client(CLIENT);
        try (HeldLease held = client.hold(
                KbId.of("leases-hold-c"), LeaseRequest.of("holder").withTtl(Duration.ofSeconds(1)), Duration.ZERO)) {
            api.call(POST, "/v1/admin/kbs/leases-hold-c/force-release", ADMIN);

            await().atMost(Duration.ofSeconds(10)).until(held::lost);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "\"5s\"", "1.5"})
    void shouldRejectABadWaitAndStoreNothing(String waitMs) {
        long calls = api.services.calls.get();
        HttpResponse<Buffer> response = api.raw(
                POST,
                "/v1/kbs/demo/leases",
                CLIENT,
                "application/json",
                Buffer.buffer("{\"holder\":\"h\",\"waitMs\":" + waitMs + "}"));
        assertError(response, 400, "INVALID_FIELD");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldWaitForTheGrantThroughTheJavaClientLongerThanItsRequestTimeout() throws Exception {
        register("leases-wait-e");
        KbsyncClient client = KbsyncClient.create(
                api.vertx,
                ClientOptions.of(URI.create("http://127.0.0.1:" + api.port()), CLIENT)
                        .withRequestTimeout(Duration.ofSeconds(1)));
        try {
            Lease held = client.requestLease(
                    KbId.of("leases-wait-e"), LeaseRequest.of("first").withTtl(Duration.ofMinutes(1)));
            CompletableFuture<Lease> waiting = CompletableFuture.supplyAsync(() -> client.requestLease(
                    KbId.of("leases-wait-e"), LeaseRequest.of("second").withWait(Duration.ofSeconds(20))));
            await().atMost(Duration.ofSeconds(10)).until(() -> api.services.keptAlive.get() == 1);
            Thread.sleep(
                    6_500); // past the client's 1 s request timeout and its 5 s margin: the call allows for its wait

            client.release(held.id());

            Lease granted = waiting.get(20, TimeUnit.SECONDS);
            assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
            assertThat(granted.holder()).isEqualTo("second");
            client.release(granted.id());
        } finally {
            client.close();
        }
    }
}
