package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobQuery;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.ReadQuery;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the client sends and how it reads the answers, against a real HTTP server. */
class KbsyncClientTest {
    private final FakeCoordinator server = new FakeCoordinator();
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    private record Seen(String method, String uri, MultiMap headers, String body) {}

    KbsyncClientTest() throws Exception {}

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void shouldSendANoteWithTokenIdempotencyKeyAndJsonBody() {
        record(server, "/v1/kbs/team/notes", 202, Samples.job("j1", "queued").encode());
        try (KbsyncClient client = server.client()) {
            var job = client.submitNote(
                    KbId.of("team"),
                    NoteRequest.of("alice", "Standup at 9:30")
                            .withTitle("Standup")
                            .withIdempotencyKey("chat-1"));

            assertThat(job.id()).isEqualTo("j1");
            assertThat(job.state()).isEqualTo(JobState.QUEUED);
        }
        Seen request = seen.get("/v1/kbs/team/notes");
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.headers().get("Authorization")).isEqualTo("Bearer secret-token");
        assertThat(request.headers().get("Idempotency-Key")).isEqualTo("chat-1");
        assertThat(request.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(new JsonObject(request.body()))
                .isEqualTo(new JsonObject()
                        .put("user", "alice")
                        .put("text", "Standup at 9:30")
                        .put("title", "Standup"));
    }

    /** A token scoped to exactly one user submits as that user: the request may leave {@code user} out. */
    @Test
    void shouldLeaveOutTheUserWhenNoneIsGiven() {
        record(server, "/v1/kbs/team/notes", 202, Samples.job("j1", "queued").encode());
        record(
                server,
                "/v1/kbs/team/agent-tasks",
                202,
                Samples.job("j2", "queued").encode());
        try (KbsyncClient client = server.client()) {
            client.submitNote(
                    KbId.of("team"), NoteRequest.of(null, "Standup at 9:30").withTitle("Standup"));
            client.submitAgentTask(KbId.of("team"), AgentTaskRequest.of(null, "tidy the index"));
        }
        assertThat(new JsonObject(seen.get("/v1/kbs/team/notes").body()))
                .isEqualTo(new JsonObject().put("text", "Standup at 9:30").put("title", "Standup"));
        assertThat(new JsonObject(seen.get("/v1/kbs/team/agent-tasks").body()))
                .isEqualTo(new JsonObject().put("task", "tidy the index"));
    }

    @Test
    void shouldResolvePathsUnderTheBaseUrlsPathAndEncodeIds() {
        record(
                server,
                "/kbsync/v1/jobs/a%2Fb%3Fc/result",
                200,
                Samples.job("a/b?c", "done").encode());
        URI under = URI.create(server.url() + "/kbsync/");
        try (KbsyncClient client = KbsyncClient.create(ClientOptions.of(under, null))) {
            client.reportResult("a/b?c", new JobOutcome.Done("l1", "c0ffee", List.of(), 0));
        }
        Seen request = seen.get("/kbsync/v1/jobs/a%2Fb%3Fc/result");
        assertThat(request.headers().get("Authorization")).isNull();
        assertThat(new JsonObject(request.body()).getString("state")).isEqualTo("done");
    }

    @Test
    void shouldReadAnEmptyPollAsNoAssignment() {
        server.answer("/v1/workers/w1/poll", 204, "");
        record(
                server,
                "/v1/leases/l~1/heartbeat",
                200,
                Samples.lease("l~1", "granted", 0).encode());
        try (KbsyncClient client = server.client()) {
            assertThat(client.poll("w1", Duration.ofMillis(10))).isEmpty();
            assertThat(client.heartbeat("l~1").fencingToken()).isEqualTo(7L);
        }
        assertThat(seen.get("/v1/leases/l~1/heartbeat").body()).isEqualTo("{}");
    }

    @Test
    void shouldSayWhatTheHolderIsDoingInAHeartbeatCleanedToWhatTheCoordinatorTakes() {
        record(
                server,
                "/v1/leases/l~1/heartbeat",
                200,
                Samples.lease("l~1", "granted", 0).encode());
        try (KbsyncClient client = server.client()) {
            client.heartbeat("l~1", "syncing with\nhttps://git.example.com/\u0085team.git\t" + "x".repeat(300));
        }
        String doing = new JsonObject(seen.get("/v1/leases/l~1/heartbeat").body()).getString("doing");
        assertThat(doing)
                .startsWith("syncing with https://git.example.com/ team.git x")
                .hasSize(200);
    }

    @Test
    void shouldGiveBackAnAssignmentByItsLeaseId() {
        record(
                server,
                "/v1/workers/w1/give-back",
                200,
                new JsonObject().put("givenBack", true).encode());
        try (KbsyncClient client = server.client()) {
            assertThat(client.giveBack("w1", "team~7f.42.ab")).isTrue();
        }
        Seen request = seen.get("/v1/workers/w1/give-back");
        assertThat(request.method()).isEqualTo("POST");
        assertThat(new JsonObject(request.body())).isEqualTo(new JsonObject().put("leaseId", "team~7f.42.ab"));
    }

    @Test
    void shouldQueryTheJobListWithEncodedFiltersAndFollowTheCursor() {
        JsonObject page = new JsonObject()
                .put("jobs", new io.vertx.core.json.JsonArray().add(Samples.job("j2", "failed")))
                .put("nextCursor", "c/2");
        record(server, "/v1/jobs", 200, page.encode());
        try (KbsyncClient client = server.client()) {
            JobPage first = client.jobs(JobQuery.all()
                    .withKb(KbId.of("team"))
                    .withUser("a b")
                    .withState("failed")
                    .withLimit(5)
                    .after("c/1"));

            assertThat(first.jobs()).extracting(Job::id).containsExactly("j2");
            assertThat(first.nextCursor()).isEqualTo("c/2");
        }
        assertThat(seen.get("/v1/jobs").uri()).isEqualTo("/v1/jobs?kb=team&user=a+b&state=failed&limit=5&cursor=c%2F1");
        assertThat(JobQuery.all().queryString()).isEmpty();
    }

    @Test
    void shouldCancelAJobWithDelete() {
        record(server, "/v1/jobs/j1", 200, Samples.job("j1", "failed").encode());
        try (KbsyncClient client = server.client()) {
            assertThat(client.cancel("j1").id()).isEqualTo("j1");
        }
        assertThat(seen.get("/v1/jobs/j1").method()).isEqualTo("DELETE");
    }

    @Test
    void shouldRetryAJobWithPostAndAnswerTheNewJob() {
        record(
                server,
                "/v1/jobs/j1/retry",
                202,
                Samples.job("j2", "queued").put("retryOf", "j1").encode());
        try (KbsyncClient client = server.client()) {
            Job again = client.retry("j1");
            assertThat(again.id()).isEqualTo("j2");
            assertThat(again.retryOf()).isEqualTo("j1");
        }
        assertThat(seen.get("/v1/jobs/j1/retry").method()).isEqualTo("POST");
    }

    @Test
    void shouldReadAJobWithoutRetryOfAsRetryingNone() {
        assertThat(Job.fromJson(Samples.job("j1", "failed")).retryOf()).isNull();
    }

    @Test
    void shouldReadWhatARunningJobsWorkerIsDoingAndWriteItOnlyWhenThereIsSomething() {
        record(
                server,
                "/v1/jobs/j1",
                200,
                Samples.job("j1", "running").put("doing", "writing the note").encode());
        try (KbsyncClient client = server.client()) {
            assertThat(client.job("j1").doing()).isEqualTo("writing the note");
        }
        Job quiet = Job.fromJson(Samples.job("j2", "running"));
        assertThat(quiet.doing()).isNull();
        assertThat(quiet.toJson().containsKey("doing")).isFalse();
        assertThat(Job.fromJson(quiet.toJson().put("doing", "committing"))
                        .toJson()
                        .getString("doing"))
                .isEqualTo("committing");
        assertThat(Job.fromJson(quiet.toJson().put("doing", "committing"))
                        .at(JobState.DONE, 0, 0, 0)
                        .doing())
                .as("a job that no longer runs says nothing of its worker")
                .isNull();
    }

    @Test
    void shouldSendATtlOnlyWhenGiven() {
        record(
                server,
                "/v1/kbs/team/leases",
                202,
                Samples.lease("team~1", "waiting", 2).encode());
        try (KbsyncClient client = server.client()) {
            assertThat(client.requestLease(
                                    KbId.of("team"), LeaseRequest.of("bot").withTtl(Duration.ofSeconds(60)))
                            .ahead())
                    .isEqualTo(2);
        }
        assertThat(new JsonObject(seen.get("/v1/kbs/team/leases").body()))
                .isEqualTo(new JsonObject().put("holder", "bot").put("ttlMs", 60_000));
    }

    @Test
    void shouldNotLetAStreamHoldBackCalls() {
        server.on(
                "/v1/events",
                r -> r.response()
                        .setChunked(true)
                        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                        .write(": kbsync\n\n"));
        server.answer("/healthz", 200, "{\"status\":\"up\"}");
        try (KbsyncClient client = KbsyncClient.create(
                ClientOptions.of(server.url(), null).withMaxConnections(1).withMaxStreams(2))) {
            try (var first = client.allQueueEvents();
                    var second = client.allQueueEvents()) {
                client.health();
            }
        }
    }

    /**
     * A file path's dot segments are not sent: the coordinator resolves them before it routes, so that
     * {@code x/../../../team-b/files/secret.md} read team-b's file through team-a's route (or reached another route).
     * Refused as the coordinator refuses such a path, {@code INVALID_PATH}, before anything is sent; so are a tree's
     * prefix and a log's path that the coordinator would refuse, and an id that is a dot segment.
     */
    @Test
    void shouldRefusePathsAndIdsThatWouldLeaveTheirRouteBeforeSendingThem() {
        KbId teamA = KbId.of("team-a");
        try (KbsyncClient client = server.client()) {
            for (String path : List.of(
                    "x/../../../team-b/files/secret.md",
                    "../team-b/files/secret.md",
                    "./a.md",
                    "a/./b.md",
                    "a//b.md",
                    "/etc/passwd",
                    "a/..",
                    "")) {
                assertInvalid("INVALID_PATH", () -> client.readFile(teamA, path, ReadQuery.latest()));
                assertInvalid("INVALID_PATH", () -> client.readFileIfChanged(teamA, path, "\"e\"", ReadQuery.latest()));
                assertInvalid("INVALID_PATH", () -> client.async().readFile(teamA, path, ReadQuery.latest()));
                assertInvalid("INVALID_PATH", () -> client.log(teamA, path, 10, ReadQuery.latest()));
            }
            assertInvalid("INVALID_PATH", () -> client.tree(teamA, "../team-b", ReadQuery.latest()));
            assertInvalid("INVALID_PATH", () -> client.tree(teamA, "notes/../..", ReadQuery.latest()));
            assertInvalid("INVALID_JOB_ID", () -> client.job(".."));
            assertInvalid("INVALID_JOB_ID", () -> client.cancel("."));
            assertInvalid("INVALID_LEASE_ID", () -> client.heartbeat(".."));
            assertInvalid("INVALID_WORKER", () -> client.poll("..", Duration.ofMillis(10)));
            // an ETag a header cannot carry is the caller's mistake, not an unreachable coordinator to fail over from
            for (String etag : List.of("\"e\"\r\nX-Other: 1", "\"e\u0000\"", "", " ")) {
                assertInvalid("INVALID_ETAG", () -> client.readFileIfChanged(teamA, "a.md", etag, ReadQuery.latest()));
            }
        }
        assertThat(server.received()).as("nothing was sent").isZero();
    }

    @Test
    void shouldSendATreesPrefixWithItsTrailingSlashAndALogsPath() {
        record(server, "/v1/kbs/team/tree", 200, "{}");
        record(server, "/v1/kbs/team/log", 200, "{}");
        try (KbsyncClient client = server.client()) {
            assertThatThrownBy(() -> client.tree(KbId.of("team"), "notes/", ReadQuery.latest()))
                    .isInstanceOf(KbsyncException.NotKbsync.class); // the fake's answer lacks the fields
            assertThatThrownBy(() -> client.log(KbId.of("team"), "notes/a b.md", 5, ReadQuery.latest()))
                    .isInstanceOf(KbsyncException.NotKbsync.class);
        }
        assertThat(seen.get("/v1/kbs/team/tree").uri()).isEqualTo("/v1/kbs/team/tree?prefix=notes%2F");
        assertThat(seen.get("/v1/kbs/team/log").uri()).isEqualTo("/v1/kbs/team/log?path=notes%2Fa+b.md&limit=5");
    }

    private static void assertInvalid(String code, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void shouldRejectAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> ClientOptions.of(URI.create("ftp://host/"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http(s)://host");
    }

    private void record(FakeCoordinator fake, String path, int status, String answer) {
        fake.on(
                path,
                r -> r.body().onSuccess(body -> {
                    seen.put(r.path(), new Seen(r.method().name(), r.uri(), r.headers(), body.toString()));
                    r.response().setStatusCode(status).end(answer);
                }));
    }
}
