package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.testing.FaultProxy;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkerApiIT {
    private static final AtomicInteger users = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_HTTP_BODY_LIMIT_BYTES", "65536"));

    private static HttpResponse<Buffer> poll(long waitMs) {
        return api.call(POST, "/v1/workers/w-1/poll", WORKER, new JsonObject().put("waitMs", waitMs));
    }

    /** Submits a note to a KB of its own (registered for the test) and polls it. */
    private static JsonObject submitAndPoll(String kb) {
        api.kb(kb);
        submit(kb, "hello");
        HttpResponse<Buffer> response = poll(5000);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        return response.bodyAsJsonObject();
    }

    private static JsonObject submit(String kb, String text) {
        HttpResponse<Buffer> response = api.call(
                POST,
                "/v1/kbs/" + kb + "/notes",
                CLIENT,
                new JsonObject()
                        .put("user", "worker-" + users.incrementAndGet())
                        .put("text", text));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
        return response.bodyAsJsonObject();
    }

    private static void reportDone(JsonObject assignment) {
        String jobId = assignment.getJsonObject("job").getString("id");
        JsonObject done = new JsonObject()
                .put("leaseId", assignment.getJsonObject("lease").getString("id"))
                .put("state", "done");
        assertThat(api.call(POST, "/v1/jobs/" + jobId + "/result", WORKER, done).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldAnswer204WhenNothingIsGrantedWithinWaitMs() {
        HttpResponse<Buffer> response = poll(300);
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isNull();
    }

    @Test
    void shouldGiveAJobClaimedForAWorkerThatLeftItsPollBackWithoutCountingAnAttempt() throws Exception {
        api.kb("w-left");
        api.request(POST, "/v1/workers/w-left/poll", WORKER)
                .timeout(300) // the worker gives up on its poll and closes the connection; the poll waits on
                .sendJsonObject(new JsonObject().put("waitMs", 5000))
                .toCompletionStage()
                .handle((r, e) -> null);
        Thread.sleep(600);
        String jobId = submit("w-left", "hello").getString("id");
        Thread.sleep(1_000); // the left poll claims it, cannot answer, and gives it back

        JsonObject assignment = api.call(POST, "/v1/workers/w-next/poll", WORKER, new JsonObject().put("waitMs", 5000))
                .bodyAsJsonObject();

        assertThat(assignment.getJsonObject("job").getString("id")).isEqualTo(jobId);
        assertThat(assignment.getJsonObject("job").getInteger("attempts"))
                .as("the left worker never ran it")
                .isEqualTo(1);
        reportDone(assignment);
    }

    /**
     * As a poll's claim, the notes an extend took along are given back, uncounted, when its answer cannot be given
     * after its step ran (its worker left, or it was answered 503 while Redis answered slowly): they wait at their
     * places again at once, instead of running unseen under the head's grant until it lapses, their attempts counted.
     */
    @Test
    void shouldGiveBackTheNotesAnExtendTookWhenItsAnswerCannotBeGiven() throws Exception {
        try (FaultProxy proxy = FaultProxy.to(api.redis.port())) {
            Coordinator slow =
                    api.another(Map.of("KBSYNC_REDIS_ADDRESS", proxy.uri(), "KBSYNC_COORDINATOR_ID", "slow-redis"));
            try {
                JsonObject head = submitAndPoll("w-extend-left");
                String leaseId = head.getJsonObject("lease").getString("id");
                String extend = "/v1/leases/" + leaseId + "/extend";
                // takes nothing yet (nothing waits): the extend step is in Redis' script cache now
                assertThat(api.call(POST, extend, WORKER, new JsonObject().put("max", 0))
                                .statusCode())
                        .isEqualTo(200);
                List<String> behind = List.of("b", "c").stream()
                        .map(text -> submit("w-extend-left", text).getString("id"))
                        .toList();

                proxy.holdResponses(); // the slow coordinator's extend step runs in Redis, its answer waits
                try (Socket worker = new Socket("127.0.0.1", slow.port())) {
                    String body = new JsonObject().put("max", 2).encode();
                    worker.getOutputStream()
                            .write(("POST " + extend + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                                            + WORKER + "\r\nContent-Type: application/json\r\nContent-Length: "
                                            + body.length() + "\r\n\r\n" + body)
                                    .getBytes(StandardCharsets.UTF_8));
                    worker.getOutputStream().flush();
                    await().atMost(Duration.ofSeconds(5))
                            .pollInterval(Duration.ofMillis(20))
                            .until(() -> api.call(GET, "/v1/jobs/" + behind.get(0), CLIENT)
                                    .bodyAsJsonObject()
                                    .getString("state")
                                    .equals("running"));
                } // the worker gives up on its extend before the answer: it never learns of the notes
                Thread.sleep(200);
                proxy.releaseResponses();

                await().atMost(Duration.ofMillis(1500))
                        .pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> {
                            for (String id : behind) {
                                JsonObject job =
                                        api.call(GET, "/v1/jobs/" + id, CLIENT).bodyAsJsonObject();
                                assertThat(job.getString("state")).as(id).isEqualTo("queued");
                                assertThat(job.getInteger("attempts"))
                                        .as("%s: no worker ran it", id)
                                        .isZero();
                            }
                        });
                reportDone(head);
                for (String id : behind) {
                    JsonObject next = poll(5000).bodyAsJsonObject();
                    assertThat(next.getJsonObject("job").getString("id")).isEqualTo(id);
                    reportDone(next);
                }
            } finally {
                slow.stop().await();
            }
        }
    }

    private static HttpResponse<Buffer> giveBack(String worker, Object leaseId) {
        return api.call(POST, "/v1/workers/" + worker + "/give-back", WORKER, new JsonObject().put("leaseId", leaseId));
    }

    @Test
    void shouldOfferAJobItsWorkerGaveBackAgainAtOnceWithItsAttemptReturned() {
        JsonObject assignment = submitAndPoll("w-give");
        String jobId = assignment.getJsonObject("job").getString("id");
        String leaseId = assignment.getJsonObject("lease").getString("id");
        assertThat(assignment.getJsonObject("job").getInteger("attempts")).isEqualTo(1);

        HttpResponse<Buffer> response = giveBack("w-1", leaseId);

        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("givenBack", true));
        JsonObject job = api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject();
        assertThat(job.getString("state")).isEqualTo("queued");
        assertThat(job.getInteger("attempts"))
                .as("the attempt never made is returned")
                .isZero();
        assertThat(giveBack("w-1", leaseId).bodyAsJsonObject())
                .as("given back already: nothing more to do")
                .isEqualTo(new JsonObject().put("givenBack", false));

        JsonObject again = api.call(POST, "/v1/workers/w-2/poll", WORKER, new JsonObject().put("waitMs", 5000))
                .bodyAsJsonObject();
        assertThat(again.getJsonObject("job").getString("id")).isEqualTo(jobId);
        assertThat(again.getJsonObject("job").getInteger("attempts")).isEqualTo(1);
        assertThat(giveBack("w-1", again.getJsonObject("lease").getString("id")).bodyAsJsonObject())
                .as("another worker's claim is not w-1's to give back")
                .isEqualTo(new JsonObject().put("givenBack", false));
        assertThat(api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject().getString("state"))
                .isEqualTo("running");
        reportDone(again);
        assertThat(giveBack("w-2", again.getJsonObject("lease").getString("id")).bodyAsJsonObject())
                .as("a finished job's grant")
                .isEqualTo(new JsonObject().put("givenBack", false));
        assertThat(api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject().getString("state"))
                .isEqualTo("done");
    }

    /**
     * A give-back ends the lease it gives back: a worker whose give-back's answer was lost (it then runs the job, as
     * PollSlot does when the give-back fails) must not keep a working lease and token. Its heartbeats (its pre-push
     * check) and reports under the old lease are refused, and the next claim gets a new lease id and a larger token,
     * so two holders never share one and the old one cannot end the new holder's grant.
     */
    @Test
    void shouldEndTheLeaseAndTokenOfAClaimGivenBack() {
        JsonObject first = submitAndPoll("w-give-lease");
        String jobId = first.getJsonObject("job").getString("id");
        String oldLease = first.getJsonObject("lease").getString("id");
        long oldFence = first.getJsonObject("lease").getLong("fencingToken");
        assertThat(giveBack("w-1", oldLease).bodyAsJsonObject()).isEqualTo(new JsonObject().put("givenBack", true));

        assertError(api.call(POST, "/v1/leases/" + oldLease + "/heartbeat", WORKER), 409, "LEASE_LOST");

        JsonObject again = api.call(POST, "/v1/workers/w-2/poll", WORKER, new JsonObject().put("waitMs", 5000))
                .bodyAsJsonObject();
        assertThat(again.getJsonObject("job").getString("id")).isEqualTo(jobId);
        String newLease = again.getJsonObject("lease").getString("id");
        assertThat(newLease).as("a new lease id for the next claim").isNotEqualTo(oldLease);
        assertThat(again.getJsonObject("lease").getLong("fencingToken"))
                .as("a larger token than the one given back")
                .isGreaterThan(oldFence);
        assertThat(again.getLong("previousFencingToken"))
                .as("the token given back came right before it")
                .isEqualTo(oldFence);
        assertThat(again.getJsonObject("job").getLong("firstFencingToken"))
                .as("the job's first grant stays its first")
                .isEqualTo(oldFence);
        assertError(api.call(POST, "/v1/leases/" + oldLease + "/heartbeat", WORKER), 409, "LEASE_LOST");
        JsonObject shutdown = new JsonObject()
                .put("leaseId", oldLease)
                .put("state", "failed")
                .put("error", new JsonObject().put("code", "WORKER_SHUTDOWN").put("message", "grace ran out"));
        assertError(api.call(POST, "/v1/jobs/" + jobId + "/result", WORKER, shutdown), 409, "LEASE_LOST");

        JsonObject job = api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject();
        assertThat(job.getString("state")).as("the new holder's grant lives on").isEqualTo("running");
        assertThat(job.getInteger("attempts")).isEqualTo(1);
        assertThat(api.call(POST, "/v1/leases/" + newLease + "/heartbeat", WORKER)
                        .statusCode())
                .isEqualTo(200);
        reportDone(again);
    }

    @Test
    void shouldRejectBadGiveBacksAndChangeNothing() {
        JsonObject assignment = submitAndPoll("w-give-bad");
        String jobId = assignment.getJsonObject("job").getString("id");
        String leaseId = assignment.getJsonObject("lease").getString("id");
        long calls = api.services.calls.get();
        String path = "/v1/workers/w-1/give-back";

        assertError(api.call(POST, path, WORKER, new JsonObject()), 400, "MISSING_FIELD");
        assertError(giveBack("w-1", "not a lease"), 400, "INVALID_LEASE_ID");
        assertError(giveBack("w-1", 42), 400, "INVALID_FIELD");
        assertError(
                api.call(
                        POST,
                        path,
                        WORKER,
                        new JsonObject().put("leaseId", leaseId).put("jobId", jobId)),
                400,
                "UNKNOWN_FIELD");
        assertError(giveBack("bad%20id", leaseId), 400, "INVALID_WORKER");
        assertError(api.raw(POST, path, WORKER, "application/json", Buffer.buffer("[1]")), 400, "INVALID_JSON");
        assertThat(api.services.calls.get()).isEqualTo(calls);
        assertError(api.call(POST, path, CLIENT, new JsonObject().put("leaseId", leaseId)), 403, "FORBIDDEN");
        assertError(api.call(POST, path, null, new JsonObject().put("leaseId", leaseId)), 401, "UNAUTHENTICATED");
        assertThat(giveBack("w-1", "l1").bodyAsJsonObject())
                .as("a well-formed id of no grant: nothing given back")
                .isEqualTo(new JsonObject().put("givenBack", false));

        JsonObject job = api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject();
        assertThat(job.getString("state")).isEqualTo("running");
        assertThat(job.getInteger("attempts")).isEqualTo(1);
        reportDone(assignment);
    }

    @Test
    void shouldHandOutAnAssignmentAndRecordADoneResult() {
        JsonObject assignment = submitAndPoll("w-done");
        assertThat(assignment.getJsonObject("lease").getString("state")).isEqualTo("granted");
        assertThat(assignment.getJsonObject("lease").getString("deadlineAt")).isNotNull();
        assertThat(assignment.getJsonObject("job").getLong("firstFencingToken"))
                .isEqualTo(assignment.getJsonObject("lease").getLong("fencingToken"));
        assertThat(assignment.getJsonObject("kb").getString("remote")).isEqualTo("/srv/git/w-done.git");
        String jobId = assignment.getJsonObject("job").getString("id");
        JsonObject result = new JsonObject()
                .put("leaseId", assignment.getJsonObject("lease").getString("id"))
                .put("state", "done")
                .put("commit", "0123456789abcdef0123456789abcdef01234567")
                .put(
                        "files",
                        new JsonArray()
                                .add(new JsonObject().put("path", "notes/a.md").put("change", "created")))
                .put("result", "Filed it under notes/a.md.\nAnything else?")
                .put("pushRejections", 1);

        HttpResponse<Buffer> response = api.call(POST, "/v1/jobs/" + jobId + "/result", WORKER, result);

        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        JsonObject job = response.bodyAsJsonObject();
        assertThat(job.getString("state")).isEqualTo("done");
        assertThat(job.getJsonArray("files").getJsonObject(0).getString("change"))
                .isEqualTo("created");
        assertThat(job.getString("result")).isEqualTo("Filed it under notes/a.md.\nAnything else?");
        JsonObject read = api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject();
        assertThat(read.getString("state")).isEqualTo("done");
        assertThat(read.getString("result"))
                .as("kept with the job")
                .isEqualTo("Filed it under notes/a.md.\nAnything else?");
    }

    @Test
    void shouldRefuseAnOverlongResultOrOneOnAFailedJob() {
        long calls = api.services.calls.get();
        JsonObject tooLong = new JsonObject()
                .put("leaseId", "l")
                .put("state", "done")
                .put("result", "x".repeat(JobOutcome.MAX_RESULT_CHARS + 1));
        assertError(api.call(POST, "/v1/jobs/job-1/result", WORKER, tooLong), 400, "RESULT_TOO_LONG");
        JsonObject failed = new JsonObject()
                .put("leaseId", "l")
                .put("state", "failed")
                .put("result", "no")
                .put("error", new JsonObject().put("code", "C").put("message", "m"));
        assertError(api.call(POST, "/v1/jobs/job-1/result", WORKER, failed), 400, "INVALID_FIELD");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRecordAFailedResultAndRejectAForeignLeaseWith409() {
        JsonObject assignment = submitAndPoll("w-failed");
        String jobId = assignment.getJsonObject("job").getString("id");
        JsonObject failed = new JsonObject()
                .put("leaseId", "lease-someone-else")
                .put("state", "failed")
                .put("error", new JsonObject().put("code", "PUSH_REJECTED").put("message", "gave up"));

        assertError(api.call(POST, "/v1/jobs/" + jobId + "/result", WORKER, failed), 409, "LEASE_LOST");

        failed.put("leaseId", assignment.getJsonObject("lease").getString("id"));
        JsonObject job =
                api.call(POST, "/v1/jobs/" + jobId + "/result", WORKER, failed).bodyAsJsonObject();
        assertThat(job.getString("state")).isEqualTo("failed");
        assertThat(job.getJsonObject("error").getString("code")).isEqualTo("PUSH_REJECTED");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bad state        | {\"leaseId\":\"l\",\"state\":\"maybe\"}                                   | INVALID_STATE",
                "missing lease    | {\"state\":\"done\"}                                                      | MISSING_FIELD",
                "unknown field    | {\"leaseId\":\"l\",\"state\":\"done\",\"x\":1}                            | UNKNOWN_FIELD",
                "failed no error  | {\"leaseId\":\"l\",\"state\":\"failed\"}                                  | MISSING_FIELD",
                "error extra key  | {\"leaseId\":\"l\",\"state\":\"failed\",\"error\":{\"code\":\"C\",\"message\":\"m\",\"k\":1}} | UNKNOWN_FIELD",
                "file bad change  | {\"leaseId\":\"l\",\"state\":\"done\",\"files\":[{\"path\":\"a.md\",\"change\":\"moved\"}]} | INVALID_FIELD",
                "file bad path    | {\"leaseId\":\"l\",\"state\":\"done\",\"files\":[{\"path\":\"../a.md\",\"change\":\"created\"}]} | INVALID_PATH",
                "file not object  | {\"leaseId\":\"l\",\"state\":\"done\",\"files\":[\"a.md\"]}               | INVALID_FIELD",
                "negative rejects | {\"leaseId\":\"l\",\"state\":\"done\",\"pushRejections\":-1}              | INVALID_FIELD",
                "rejects wrap to 0 | {\"leaseId\":\"l\",\"state\":\"done\",\"pushRejections\":-4294967296}     | INVALID_FIELD",
                "rejects wrap up  | {\"leaseId\":\"l\",\"state\":\"done\",\"pushRejections\":-2147483649}     | INVALID_FIELD",
                "commit not hex   | {\"leaseId\":\"l\",\"state\":\"done\",\"commit\":\"not-a-commit\"}      | INVALID_FIELD",
                "commit too short | {\"leaseId\":\"l\",\"state\":\"done\",\"commit\":\"0123abc\"}           | INVALID_FIELD",
                "error code empty | {\"leaseId\":\"l\",\"state\":\"failed\",\"error\":{\"code\":\"\",\"message\":\"m\"}} | INVALID_FIELD",
                "error code words | {\"leaseId\":\"l\",\"state\":\"failed\",\"error\":{\"code\":\"it broke\",\"message\":\"m\"}} | INVALID_FIELD",
                "script file url  | {\"leaseId\":\"l\",\"state\":\"done\",\"files\":[{\"path\":\"a.md\",\"change\":\"created\",\"url\":\"javascript:alert(1)\"}]} | INVALID_FIELD",
                "file url spaces  | {\"leaseId\":\"l\",\"state\":\"done\",\"files\":[{\"path\":\"a.md\",\"change\":\"created\",\"url\":\"https://x.org/a b\"}]} | INVALID_FIELD",
            })
    void shouldRejectMalformedResultsWithoutCallingTheService(String name, String body, String code) {
        long calls = api.services.calls.get();
        assertError(api.raw(POST, "/v1/jobs/job-1/result", WORKER, "application/json", Buffer.buffer(body)), 400, code);
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldCapTheLongPollAtThirtySecondsAndDefaultToTwenty() {
        api.kb("w-cap");
        submit("w-cap", "t");
        HttpResponse<Buffer> first = poll(120_000);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(api.services.lastPollWait).isEqualTo(java.time.Duration.ofSeconds(30));
        reportDone(first.bodyAsJsonObject());

        submit("w-cap", "u");
        HttpResponse<Buffer> second = api.call(POST, "/v1/workers/w-1/poll", WORKER, new JsonObject());
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(api.services.lastPollWait).isEqualTo(java.time.Duration.ofSeconds(20));
        reportDone(second.bodyAsJsonObject());
    }

    @Test
    void shouldExtendALeaseWithTheQueuedNoteJobsBehindIt() {
        JsonObject head = submitAndPoll("w-extend");
        List<String> behind = List.of("b", "c", "d").stream()
                .map(text -> submit("w-extend", text).getString("id"))
                .toList();
        String extend = "/v1/leases/" + head.getJsonObject("lease").getString("id") + "/extend";

        HttpResponse<Buffer> response = api.call(POST, extend, WORKER, new JsonObject().put("max", 2));

        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        JsonArray assignments = response.bodyAsJsonObject().getJsonArray("assignments");
        assertThat(assignments.stream()
                        .map(a -> ((JsonObject) a).getJsonObject("job").getString("id")))
                .containsExactly(behind.get(0), behind.get(1));
        JsonObject member = assignments.getJsonObject(0);
        assertThat(member.getJsonObject("job").getString("state")).isEqualTo("running");
        assertThat(member.getJsonObject("lease").getLong("fencingToken"))
                .isGreaterThan(head.getJsonObject("lease").getLong("fencingToken"));
        JsonObject again = api.call(POST, extend, WORKER, new JsonObject()).bodyAsJsonObject();
        assertThat(again.getJsonArray("assignments").stream()
                        .map(a -> ((JsonObject) a).getJsonObject("lease").getString("id")))
                .as("a retry returns the same members")
                .containsExactly(
                        assignments.getJsonObject(0).getJsonObject("lease").getString("id"),
                        assignments.getJsonObject(1).getJsonObject("lease").getString("id"));
        for (int i = 0; i < 2; i++) {
            reportDone(assignments.getJsonObject(i));
        }
        reportDone(head);
        JsonObject last = poll(5000).bodyAsJsonObject();
        assertThat(last.getJsonObject("job").getString("id")).isEqualTo(behind.get(2));
        reportDone(last);
    }

    @Test
    void shouldRejectBadOrLostExtends() {
        long calls = api.services.calls.get();
        assertError(
                api.call(POST, "/v1/leases/l1/extend", WORKER, new JsonObject().put("max", -1)), 400, "INVALID_FIELD");
        assertError(
                api.call(POST, "/v1/leases/l1/extend", WORKER, new JsonObject().put("max", 65)), 400, "INVALID_FIELD");
        assertError(api.call(POST, "/v1/leases/l1/extend", WORKER, new JsonObject().put("n", 1)), 400, "UNKNOWN_FIELD");
        assertError(
                api.raw(POST, "/v1/leases/l1/extend", WORKER, "application/json", Buffer.buffer("[1]")),
                400,
                "INVALID_JSON");
        assertThat(api.services.calls.get()).isEqualTo(calls);
        assertError(api.call(POST, "/v1/leases/l1/extend", WORKER, new JsonObject()), 409, "LEASE_LOST");
        assertError(api.call(POST, "/v1/leases/l1/extend", null, new JsonObject()), 401, "UNAUTHENTICATED");
        assertError(api.call(POST, "/v1/leases/l1/extend", CLIENT, new JsonObject()), 403, "FORBIDDEN");
    }

    @Test
    void shouldRejectBadPollInput() {
        assertError(poll(-1), 400, "INVALID_FIELD");
        assertError(
                api.call(POST, "/v1/workers/bad%20id/poll", WORKER, new JsonObject().put("waitMs", 0)),
                400,
                "INVALID_WORKER");
        assertError(
                api.call(POST, "/v1/workers/w/poll", WORKER, new JsonObject().put("wait", 0)), 400, "UNKNOWN_FIELD");
    }

    @Test
    void shouldStreamJobEventsUntilTheJobIsDone() {
        JsonObject first = submitAndPoll("w-stream");
        String jobId = submit("w-stream", "behind").getString("id");
        try (EventStream<JobEvent> events = api.client(CLIENT).jobEvents(jobId)) {
            JobEvent initial = events.next(WAIT);
            assertThat(initial).isInstanceOf(JobEvent.State.class);
            assertThat(initial.job().ahead()).isEqualTo(1);
            reportDone(first);
            assertThat(events.next(WAIT)).isInstanceOf(JobEvent.Position.class);
            JsonObject assignment = poll(5000).bodyAsJsonObject();
            assertThat(assignment.getJsonObject("job").getString("id")).isEqualTo(jobId);
            reportDone(assignment);
            JobEvent last;
            do {
                last = events.next(WAIT);
            } while (!last.job().state().terminal());
            assertThat(last.name()).isEqualTo("state");
            assertThat(last.job().state()).isEqualTo(JobState.DONE);
            assertThat(events.hasNext())
                    .as("the stream ends after the final state")
                    .isFalse();
        }
    }

    @Test
    void shouldEndAJobStreamAtOnceWhenTheJobIsAlreadyFinished() throws Exception {
        JsonObject assignment = submitAndPoll("w-finished");
        String jobId = assignment.getJsonObject("job").getString("id");
        reportDone(assignment);
        JsonObject job = api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject();
        try (RawStream events = api.rawStream("/v1/jobs/" + jobId + "/events", CLIENT)) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.header("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
            assertThat(events.header("Cache-Control")).isEqualTo("no-store");
            assertThat(events.readAll()).isEqualTo(": kbsync\n\nevent: state\ndata: " + job.encode() + "\n\n");
        }
    }
}
