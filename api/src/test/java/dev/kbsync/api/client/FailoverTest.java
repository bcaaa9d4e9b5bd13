package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.ReadQuery;
import dev.kbsync.api.event.JobEvent;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client given two coordinators (real HTTP servers): it moves when one stops answering and comes back. */
class FailoverTest {
    private static final String JOB = Samples.job("j1", "queued").encode();

    private final FakeCoordinator first;
    private final FakeCoordinator second;

    FailoverTest() throws Exception {
        first = new FakeCoordinator();
        second = new FakeCoordinator();
    }

    @AfterEach
    void close() throws Exception {
        second.close();
        first.close();
    }

    private KbsyncClient client(URI... urls) {
        return KbsyncClient.create(ClientOptions.of(List.of(urls), "t").withProbeInterval(Duration.ofMillis(100)));
    }

    @Test
    void shouldUseTheFirstWhileItAnswers() {
        AtomicInteger firstCalls = new AtomicInteger();
        first.on("/healthz", r -> {
            firstCalls.incrementAndGet();
            r.response().end();
        });
        try (KbsyncClient client = client(first.url(), second.url())) {
            client.health();
            client.health();

            assertThat(firstCalls).hasValue(2);
            assertThat(client.coordinator()).isEqualTo(first.url());
            assertThat(client.coordinatorMoves()).isZero();
        }
    }

    /**
     * An Idempotency-Key the coordinator would refuse (here one Vert.x cannot even send as a header) is refused where
     * it is set, as the coordinator refuses it (INVALID_IDEMPOTENCY_KEY): it was sent as far as Vert.x's header check,
     * which threw, and the client took that for an unreachable coordinator and moved on (a bot retrying Unavailable
     * retried for ever).
     */
    @Test
    void shouldRefuseAnIdempotencyKeyTheCoordinatorWouldRefuseWithoutLeavingTheCoordinator() {
        first.answer("/v1/kbs/team/notes", 202, JOB);
        second.answer("/v1/kbs/team/notes", 202, JOB);
        try (KbsyncClient client = client(first.url(), second.url())) {
            for (String key : List.of("chat\n1", "chat 1", "", "k".repeat(129), "chat/1")) {
                assertThatThrownBy(() -> client.submitNote(
                                KbId.of("team"), NoteRequest.of("alice", "hi").withIdempotencyKey(key)))
                        .isInstanceOfSatisfying(
                                InvalidInputException.class,
                                e -> assertThat(e.code()).isEqualTo("INVALID_IDEMPOTENCY_KEY"));
                assertThatThrownBy(() -> client.submitAgentTask(
                                KbId.of("team"),
                                AgentTaskRequest.of("alice", "tidy").withIdempotencyKey(key)))
                        .isInstanceOfSatisfying(
                                InvalidInputException.class,
                                e -> assertThat(e.code()).isEqualTo("INVALID_IDEMPOTENCY_KEY"));
            }

            assertThat(client.coordinatorMoves()).isZero();
            assertThat(client.submitNote(
                                    KbId.of("team"),
                                    NoteRequest.of("alice", "hi").withIdempotencyKey("chat-1:a~b.c"))
                            .id())
                    .isEqualTo("j1");
            assertThat(client.coordinator()).isEqualTo(first.url());
        }
        assertThat(first.received()).as("only the valid key's submit").isEqualTo(1);
        assertThat(second.received()).isZero();
    }

    @Test
    void shouldWaitForAFreeConnectionOfItsOwnPoolInsteadOfTakingTheCoordinatorForUnreachable() throws Exception {
        // every connection of the client is busy with a slow call (a long poll, say): the next call waits for one to be
        // free, as long as its answer may take, and the coordinator is not counted as failed for it
        AtomicInteger calls = new AtomicInteger();
        first.on("/healthz", r -> {
            if (calls.incrementAndGet() == 1) {
                first.vertx.setTimer(1500, t -> r.response().end());
            } else {
                r.response().end();
            }
        });
        second.answer("/healthz", 200, "");
        ClientOptions options = ClientOptions.of(List.of(first.url(), second.url()), "t")
                .withMaxConnections(1)
                .withConnectTimeout(Duration.ofMillis(300))
                .withRequestTimeout(Duration.ofSeconds(10));
        try (KbsyncClient client = KbsyncClient.create(options)) {
            Thread slow = new Thread(client::health);
            slow.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);

            client.health();
            slow.join(10_000);

            assertThat(calls).hasValue(2);
            assertThat(client.coordinator()).isEqualTo(first.url());
            assertThat(client.coordinatorMoves()).isZero();
        }
    }

    @Test
    void shouldTimeOutACallThatFoundNoFreeConnectionWithoutLeavingTheCoordinator() throws Exception {
        // a long poll (a lease request that waits 5 s for its grant) holds the client's one connection past the
        // call's whole wait (connect 200 ms + answer 800 ms)
        AtomicInteger calls = new AtomicInteger();
        first.on("/v1/kbs/k/leases", r -> {
            calls.incrementAndGet();
            first.vertx.setTimer(
                    3000,
                    t -> r.response().end(Samples.lease("l1", "granted", 0).encode()));
        });
        second.answer("/healthz", 200, "");
        ClientOptions options = ClientOptions.of(List.of(first.url(), second.url()), "t")
                .withMaxConnections(1)
                .withConnectTimeout(Duration.ofMillis(200))
                .withRequestTimeout(Duration.ofMillis(800));
        try (KbsyncClient client = KbsyncClient.create(options)) {
            Thread slow = new Thread(() -> client.requestLease(
                    KbId.of("k"), new LeaseRequest("h", Duration.ofSeconds(30), Duration.ofSeconds(5))));
            slow.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);

            assertThatThrownBy(client::health)
                    .isInstanceOf(KbsyncException.TimedOut.class)
                    .hasMessageContaining("maxConnections 1");
            slow.join(10_000);

            assertThat(client.coordinator()).isEqualTo(first.url());
        }
    }

    @Test
    void shouldMoveToTheNextWhenTheFirstRefusesConnections() throws Exception {
        second.answer("/healthz", 200, "");
        URI gone = freePort();
        try (KbsyncClient client = client(gone, second.url())) {
            client.health();

            assertThat(client.coordinator()).isEqualTo(second.url());
            assertThat(client.coordinatorMoves()).isEqualTo(1);
        }
    }

    @Test
    void shouldTryTheNextAtOnceWhenTheFirstAnswers503() {
        first.answer("/healthz", 503, "{\"error\":{\"code\":\"REDIS_UNAVAILABLE\",\"message\":\"down\"}}");
        second.answer("/healthz", 200, "");
        try (KbsyncClient client = client(first.url(), second.url())) {
            client.health();

            assertThat(client.coordinator()).isEqualTo(second.url());
        }
    }

    @Test
    void shouldOpenAnEventStreamOnTheNextWhenTheFirstIsGone() throws Exception {
        serveDoneStream("j1");
        try (KbsyncClient client = client(freePort(), second.url());
                EventStream<JobEvent> events = client.jobEvents("j1")) {
            assertThat(events.next(Duration.ofSeconds(10)).job().state()).isEqualTo(JobState.DONE);
            assertThat(client.coordinator()).isEqualTo(second.url());
        }
    }

    @Test
    void shouldMoveToTheNextWhenTheFirstDoesNotAnswerTheConnectForACallAndForAStream() throws Exception {
        // a listener whose accept queue is full and never accepted: further connects hang (SYNs dropped), as to a
        // coordinator that is gone from the network
        second.answer("/healthz", 200, "");
        serveDoneStream("j1");
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> filling = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    java.net.Socket socket = new java.net.Socket();
                    try {
                        socket.connect(silent.getLocalSocketAddress(), 200);
                    } catch (java.io.IOException full) {
                        socket.close();
                        break;
                    }
                    filling.add(socket);
                }
                URI gone = URI.create("http://127.0.0.1:" + silent.getLocalPort());
                ClientOptions options = ClientOptions.of(List.of(gone, second.url()), "t")
                        .withConnectTimeout(Duration.ofMillis(500))
                        .withProbeInterval(Duration.ofMinutes(1));
                try (KbsyncClient calls = KbsyncClient.create(options)) {
                    calls.health();
                    assertThat(calls.coordinator()).isEqualTo(second.url());
                }
                try (KbsyncClient streams = KbsyncClient.create(options);
                        EventStream<JobEvent> events = streams.jobEvents("j1")) {
                    assertThat(events.next(Duration.ofSeconds(10)).job().state())
                            .isEqualTo(JobState.DONE);
                    assertThat(streams.coordinator()).isEqualTo(second.url());
                }
            } finally {
                for (java.net.Socket socket : filling) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void shouldSurfaceTheLastFailureWhenNoneAnswers() throws Exception {
        URI one = freePort();
        URI two = freePort();
        try (KbsyncClient client = client(one, two)) {
            assertThatThrownBy(client::health)
                    .isInstanceOf(KbsyncException.Unreachable.class)
                    .hasMessageContaining(two.toString());
            assertThat(client.coordinator()).isEqualTo(one);
        }
    }

    @Test
    void shouldNotRepeatACallThatMayHaveBeenActedOnButMoveForTheNext() {
        AtomicInteger cut = new AtomicInteger();
        first.on("/v1/jobs/j1", r -> {
            cut.incrementAndGet();
            r.connection().close();
        });
        second.answer("/v1/jobs/j1", 200, JOB);
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThatThrownBy(() -> client.job("j1")).isInstanceOf(KbsyncException.Unreachable.class);
            assertThat(client.coordinator()).isEqualTo(second.url());

            assertThat(client.job("j1").id()).isEqualTo("j1");
            assertThat(cut).hasValue(1);
        }
    }

    /**
     * A 408 (the coordinator's REQUEST_TIMEOUT, or a proxy's: the request did not arrive whole in time) says that
     * nothing was done: the call is sent again once, to the same coordinator, even a submit without an idempotency key.
     */
    @Test
    void shouldSendACallAgainOnceWhenItsRequestTimedOutOnTheWay() {
        AtomicInteger submits = new AtomicInteger();
        first.on("/v1/kbs/demo/notes", r -> {
            if (submits.incrementAndGet() == 1) {
                r.response()
                        .setStatusCode(408)
                        .putHeader("Connection", "close")
                        .end("{\"error\":{\"code\":\"REQUEST_TIMEOUT\",\"message\":\"body too slow\"}}");
            } else {
                r.response().setStatusCode(202).end(JOB);
            }
        });
        first.answer("/v1/jobs/j1", 408, "<html><body>408 Request Time-out</body></html>");
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThat(client.submitNote(KbId.of("demo"), NoteRequest.of("ann", "no key"))
                            .id())
                    .isEqualTo("j1");
            assertThat(submits).hasValue(2);

            KbsyncException twice = catchThrowableOfType(KbsyncException.class, () -> client.job("j1"));
            assertThat(twice.status())
                    .as("a proxy's 408, twice: told, not taken for another server")
                    .isEqualTo(408);
            assertThat(twice).isNotInstanceOf(KbsyncException.NotKbsync.class);
            assertThat(client.coordinator())
                    .as("a slow request is not the coordinator's fault")
                    .isEqualTo(first.url());
        }
    }

    @Test
    void shouldNotSendAWriteThatCannotBeRepeatedAgainAfterA503ButMoveForTheNext() {
        String unconfirmed = "{\"error\":{\"code\":\"REPLICATION_TIMEOUT\",\"message\":\"made, not confirmed\"}}";
        AtomicInteger firstSubmits = new AtomicInteger();
        AtomicInteger secondSubmits = new AtomicInteger();
        first.on("/v1/kbs/demo/notes", r -> {
            firstSubmits.incrementAndGet();
            r.response().setStatusCode(503).end(unconfirmed);
        });
        second.on("/v1/kbs/demo/notes", r -> {
            secondSubmits.incrementAndGet();
            r.response().setStatusCode(202).end(JOB);
        });
        first.answer("/v1/jobs/j1", 503, unconfirmed);
        second.answer("/v1/jobs/j1", 409, "{\"error\":{\"code\":\"JOB_ENDED\",\"message\":\"cancelled\"}}");
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThatThrownBy(() -> client.submitNote(KbId.of("demo"), NoteRequest.of("ann", "no key")))
                    .as("without an idempotency key a second send could make a second job")
                    .isInstanceOf(KbsyncException.ServiceUnavailable.class);
            assertThat(firstSubmits).hasValue(1);
            assertThat(secondSubmits).hasValue(0);
            assertThat(client.coordinator()).isEqualTo(second.url());
        }
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThatThrownBy(() -> client.cancel("j1"))
                    .as("the cancel may have been made: its answer is the 503, not a second cancel's 409")
                    .isInstanceOf(KbsyncException.ServiceUnavailable.class);
        }
        try (KbsyncClient client = client(first.url(), second.url())) {
            client.submitNote(KbId.of("demo"), NoteRequest.of("ann", "keyed").withIdempotencyKey("k-1"));
            assertThat(secondSubmits)
                    .as("with its key a submit is sent again at once")
                    .hasValue(1);
        }
    }

    /**
     * A KB's removal answered 503 may have been carried out (Redis answered late): sent again elsewhere, it would answer
     * 404 KB_NOT_FOUND for a removal that succeeded. Its 503 is the answer, and the client moves for the next call.
     */
    @Test
    void shouldNotSendAKbRemovalAgainAfterA503ButMoveForTheNext() {
        AtomicInteger elsewhere = new AtomicInteger();
        first.answer("/v1/kbs/demo", 503, "{\"error\":{\"code\":\"REDIS_UNAVAILABLE\",\"message\":\"late\"}}");
        second.on("/v1/kbs/demo", r -> {
            elsewhere.incrementAndGet();
            r.response().setStatusCode(404).end("{\"error\":{\"code\":\"KB_NOT_FOUND\",\"message\":\"no KB\"}}");
        });
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThatThrownBy(() -> client.deleteKb(KbId.of("demo")))
                    .isInstanceOf(KbsyncException.ServiceUnavailable.class);

            assertThat(elsewhere).hasValue(0);
            assertThat(client.coordinator()).isEqualTo(second.url());
        }
    }

    /**
     * A job accepted in degraded mode is known only to the coordinator that took it until it is in Redis: its stream
     * answers 503 JOB_RESTORING there ("retry here"), and 404 on any other coordinator. The wait stays on the first.
     */
    @Test
    void shouldWaitForAJobThatIsRestoringOnTheCoordinatorThatKnowsIt() {
        AtomicInteger asked = new AtomicInteger();
        first.on("/v1/jobs/j1/events", r -> {
            if (asked.incrementAndGet() == 1) {
                unavailable(r.response(), "1", "JOB_RESTORING");
            } else {
                r.response()
                        .setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .end(Samples.frame("state", Samples.job("j1", "done")));
            }
        });
        first.answer("/v1/jobs/j1", 200, JOB); // its read answers from the journal
        second.answer("/v1/jobs/j1/events", 404, "{\"error\":{\"code\":\"JOB_NOT_FOUND\",\"message\":\"no job\"}}");
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThat(client.awaitJob("j1", Duration.ofSeconds(10)).state()).isEqualTo(JobState.DONE);

            assertThat(asked).hasValue(2);
            assertThat(client.coordinator()).isEqualTo(first.url());
            assertThat(client.coordinatorMoves()).isZero();
        }
    }

    /**
     * A rolling restart: the coordinator a wait's stream is on stops (it closes its streams, then answers 503
     * COORDINATOR_STOPPING): the wait reads the job on the next coordinator and follows it there.
     */
    @Test
    void shouldResumeAWaitOnTheNextCoordinatorWhenItsCoordinatorStops() {
        AtomicBoolean stopping = new AtomicBoolean();
        first.on("/v1/jobs/j2/events", r -> {
            if (stopping.get()) {
                unavailable(r.response(), "1", "COORDINATOR_STOPPING");
                return;
            }
            r.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .write(Samples.frame("state", Samples.job("j2", "queued")));
            first.vertx.setTimer(50, t -> {
                stopping.set(true);
                r.connection().close();
            });
        });
        first.on("/v1/jobs/j2", r -> unavailable(r.response(), "1", "COORDINATOR_STOPPING"));
        second.answer("/v1/jobs/j2", 200, Samples.job("j2", "queued").encode());
        serveDoneStream("j2");
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThat(client.awaitJob("j2", Duration.ofSeconds(10)).state()).isEqualTo(JobState.DONE);

            assertThat(client.coordinator()).isEqualTo(second.url());
        }
    }

    /**
     * A job restoring on the first coordinator (JOB_RESTORING: only its journal knows the job) whose coordinator then
     * stops: the next one answers 404 until the job is in Redis, which is no answer about the job; the wait goes on.
     */
    @Test
    void shouldWaitThroughA404OfAnotherCoordinatorForAJobRestoringOnTheOneThatStopped() {
        AtomicInteger opened = new AtomicInteger();
        first.on("/v1/jobs/j3/events", r -> {
            if (opened.incrementAndGet() == 1) {
                unavailable(r.response(), "1", "JOB_RESTORING");
            } else {
                unavailable(r.response(), "1", "COORDINATOR_STOPPING");
            }
        });
        first.on("/v1/jobs/j3", r -> unavailable(r.response(), "1", "COORDINATOR_STOPPING"));
        AtomicInteger read = new AtomicInteger();
        String notFound = "{\"error\":{\"code\":\"JOB_NOT_FOUND\",\"message\":\"no job\"}}";
        second.on("/v1/jobs/j3", r -> {
            if (read.incrementAndGet() == 1) {
                r.response().setStatusCode(404).end(notFound);
            } else {
                r.response().end(Samples.job("j3", "queued").encode());
            }
        });
        second.on("/v1/jobs/j3/events", r -> {
            if (read.get() < 2) {
                r.response().setStatusCode(404).end(notFound);
            } else {
                r.response()
                        .setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .end(Samples.frame("state", Samples.job("j3", "done")));
            }
        });
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThat(client.awaitJob("j3", Duration.ofSeconds(10)).state()).isEqualTo(JobState.DONE);

            assertThat(client.coordinator()).isEqualTo(second.url());
        }
    }

    /**
     * A 503 about one job or KB on this coordinator (JOB_RESTORING, SNAPSHOT_BEHIND, SNAPSHOT_UNAVAILABLE: nothing was
     * done) is no reason to leave it: the call is sent to it again after Retry-After, within the call's time, even a
     * cancel (which is not sent twice after another 503).
     */
    @Test
    void shouldSendACallRefusedForOneJobOrKbAgainToTheSameCoordinatorAfterItsRetryAfter() {
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger cancels = new AtomicInteger();
        AtomicInteger elsewhere = new AtomicInteger();
        String tree = "{\"kb\":\"demo\",\"commit\":\"c1\",\"prefix\":\"\",\"entries\":[],\"truncated\":false}";
        first.on("/v1/kbs/demo/tree", r -> {
            if (reads.incrementAndGet() == 1) {
                unavailable(r.response(), "1", "SNAPSHOT_BEHIND");
            } else {
                r.response().end(tree);
            }
        });
        first.on("/v1/jobs/j1", r -> {
            if (cancels.incrementAndGet() == 1) {
                unavailable(r.response(), "1", "JOB_RESTORING");
            } else {
                r.response().end(Samples.job("j1", "cancelled").encode());
            }
        });
        second.on("/v1/kbs/demo/tree", r -> {
            elsewhere.incrementAndGet();
            r.response().end(tree);
        });
        second.on("/v1/jobs/j1", r -> {
            elsewhere.incrementAndGet();
            r.response().setStatusCode(404).end("{\"error\":{\"code\":\"JOB_NOT_FOUND\",\"message\":\"no job\"}}");
        });
        try (KbsyncClient client = client(first.url(), second.url())) {
            assertThat(client.tree(KbId.of("demo"), "", ReadQuery.after("c".repeat(40)))
                            .commit())
                    .isEqualTo("c1");
            assertThat(client.cancel("j1").state()).isEqualTo(JobState.CANCELLED);

            assertThat(reads).hasValue(2);
            assertThat(cancels).hasValue(2);
            assertThat(elsewhere).hasValue(0);
            assertThat(client.coordinator()).isEqualTo(first.url());
            assertThat(client.coordinatorMoves()).isZero();
        }
    }

    @Test
    void shouldAnswerARefusalForOneKbWhoseRetryAfterPassesTheCallsTimeWithoutLeavingTheCoordinator() {
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger elsewhere = new AtomicInteger();
        first.on("/v1/kbs/demo/tree", r -> {
            reads.incrementAndGet();
            unavailable(r.response(), "5", "SNAPSHOT_UNAVAILABLE");
        });
        second.on("/v1/kbs/demo/tree", r -> {
            elsewhere.incrementAndGet();
            r.response().end("{\"kb\":\"demo\",\"commit\":\"c1\",\"entries\":[]}");
        });
        ClientOptions options =
                ClientOptions.of(List.of(first.url(), second.url()), "t").withRequestTimeout(Duration.ofSeconds(1));
        try (KbsyncClient client = KbsyncClient.create(options)) {
            KbsyncException refused = catchThrowableOfType(
                    KbsyncException.ServiceUnavailable.class,
                    () -> client.tree(KbId.of("demo"), "", ReadQuery.latest()));

            assertThat(refused.code()).isEqualTo("SNAPSHOT_UNAVAILABLE");
            assertThat(reads).hasValue(1);
            assertThat(elsewhere).hasValue(0);
            assertThat(client.coordinator()).isEqualTo(first.url());
        }
    }

    @Test
    void shouldOpenALeaseChannelOnTheNextWhenTheFirstIsGone() throws Exception {
        second.on("/v1/leases/channel", r -> r.toWebSocket());
        try (KbsyncClient client = client(freePort(), second.url())) {
            LeaseChannel channel = client.async().openLeaseChannel().await(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(client.coordinator()).isEqualTo(second.url());
            channel.close();
        }
    }

    @Test
    void shouldMoveBackWhenTheFirstIsReadyAgain() {
        AtomicBoolean up = new AtomicBoolean(false);
        first.on(
                "/healthz",
                r -> r.response().setStatusCode(up.get() ? 200 : 503).end());
        first.on(
                "/readyz", r -> r.response().setStatusCode(up.get() ? 200 : 503).end());
        second.answer("/healthz", 200, "");
        try (KbsyncClient client = client(first.url(), second.url())) {
            client.health();
            assertThat(client.coordinator()).isEqualTo(second.url());

            up.set(true);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                client.health();
                assertThat(client.coordinator()).isEqualTo(first.url());
            });
            assertThat(client.coordinatorMoves()).isEqualTo(2);
        }
    }

    @Test
    void shouldStayAwayWhileTheFirstIsNotReady() throws Exception {
        first.answer("/healthz", 503, "");
        first.answer("/readyz", 503, "");
        second.answer("/healthz", 200, "");
        try (KbsyncClient client = client(first.url(), second.url())) {
            for (int i = 0; i < 5; i++) {
                client.health();
                Thread.sleep(50);
            }

            assertThat(client.coordinator()).isEqualTo(second.url());
            assertThat(client.coordinatorMoves()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseBadLists() {
        URI a = URI.create("http://a");
        assertThatThrownBy(() -> ClientOptions.of(List.of(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> ClientOptions.of(List.of(a, a), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> ClientOptions.of(List.of(URI.create("https://a"), a), null)
                        .withCaFile(Path.of("ca.pem")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://a is not https");
        assertThat(ClientOptions.of(List.of(a, URI.create("http://b")), null).url())
                .isEqualTo(a);
    }

    /** Answers 503 with kbsync's error JSON of {@code code} and {@code Retry-After: retryAfter}. */
    private static void unavailable(io.vertx.core.http.HttpServerResponse response, String retryAfter, String code) {
        response.setStatusCode(503)
                .putHeader("Retry-After", retryAfter)
                .putHeader("Content-Type", "application/json")
                .end("{\"error\":{\"code\":\"" + code + "\",\"message\":\"not yet\"}}");
    }

    private static URI freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    /** The second coordinator answers the job's stream with its last event: done. */
    private void serveDoneStream(String jobId) {
        second.on(
                "/v1/jobs/" + jobId + "/events",
                r -> r.response()
                        .setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .end(Samples.frame("state", Samples.job(jobId, "done"))));
    }
}
