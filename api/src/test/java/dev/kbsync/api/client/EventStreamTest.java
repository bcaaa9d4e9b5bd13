package dev.kbsync.api.client;

import static dev.kbsync.api.client.Samples.frame;
import static dev.kbsync.api.client.Samples.job;
import static dev.kbsync.api.client.Samples.lease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbRemovedEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.SnapshotEvent;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Event streams over real HTTP: typed events in order, the end, waiting for completion or a grant. */
class EventStreamTest {
    private static final String KEEP_ALIVE = "X-Kbsync-Keep-Alive-Seconds";

    private final FakeCoordinator server = new FakeCoordinator();
    private final KbsyncClient client = server.client();

    EventStreamTest() throws Exception {}

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void shouldYieldTheJobsEventsInOrderUntilTheStreamEnds() {
        server.on(
                "/v1/jobs/j1/events",
                r -> open(
                                r.response(),
                                frame("state", job("j1", "queued")),
                                ": keep-alive\n\n",
                                frame("position", job("j1", "queued")))
                        .end(frame("state", job("j1", "done"))));

        List<JobEvent> events = new ArrayList<>();
        try (var stream = client.jobEvents("j1")) {
            stream.forEach(events::add);
        }

        assertThat(events).extracting(JobEvent::name).containsExactly("state", "position", "state");
        assertThat(events.get(1)).isInstanceOf(JobEvent.Position.class);
        assertThat(events.get(2).job().state()).isEqualTo(JobState.DONE);
        assertThat(events.get(2).last()).isTrue();
    }

    /**
     * A reader that falls far behind (events keep coming, nobody reads them) does not make the stream hold them without
     * bound: past {@link EventStream#MAX_BEHIND} unread events the stream is closed, and the reader, once it reads up
     * to there, gets an Unavailable error saying so (as the coordinator drops a slow client with SLOW_CONSUMER).
     */
    @Test
    void shouldEndAStreamWhoseReaderFellTooFarBehind() throws Exception {
        int sent = EventStream.MAX_BEHIND + 500;
        server.on("/v1/jobs/j1/events", r -> {
            HttpServerResponse response = open(r.response(), frame("state", job("j1", "queued")));
            String position = frame("position", job("j1", "queued"));
            for (int i = 0; i < sent; i++) {
                response.write(position);
            }
        });

        try (var stream = client.jobEvents("j1")) {
            Thread.sleep(1500); // not reading: the events pile up
            int read = 0;
            KbsyncException failure = null;
            try {
                while (read <= sent) {
                    stream.next(Duration.ofSeconds(5));
                    read++;
                }
            } catch (KbsyncException e) {
                failure = e;
            }
            assertThat(failure).isInstanceOf(KbsyncException.Unavailable.class);
            assertThat(failure.getMessage()).contains("fell behind");
            assertThat(read).isLessThanOrEqualTo(EventStream.MAX_BEHIND + 1);
        }
    }

    @Test
    void shouldEndAStreamThatHearsNothingForItsIdleTimeout() throws Exception {
        server.on("/v1/jobs/j9/events", r -> open(r.response(), frame("state", job("j9", "queued")))); // then silence
        try (KbsyncClient quick = KbsyncClient.create(
                        ClientOptions.of(server.url(), "t").withStreamIdleTimeout(Duration.ofSeconds(1)));
                var stream = quick.jobEvents("j9")) {
            assertThat(stream.next(Duration.ofSeconds(10)).job().state()).isEqualTo(JobState.QUEUED);
            long started = System.nanoTime();

            assertThatThrownBy(() -> stream.next(Duration.ofSeconds(30)))
                    .as("a peer gone without closing (a partition) fails the stream, it does not hang")
                    .isInstanceOf(KbsyncException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }

    /**
     * A coordinator names its keep-alive period ({@code X-Kbsync-Keep-Alive-Seconds}): its stream, silent for 2.5 of
     * them, is taken for broken then, not after the client's own idle timeout (60 s by default).
     */
    @Test
    void shouldTakeAStreamForBrokenAfterTwoAndAHalfOfTheKeepAlivePeriodsItsCoordinatorAnnounces() {
        server.on("/v1/jobs/j16/events", r -> {
            r.response().putHeader(KEEP_ALIVE, "1");
            open(r.response(), frame("state", job("j16", "queued"))); // then silence: the peer is gone
        });
        try (var stream = client.jobEvents("j16")) {
            assertThat(stream.next(Duration.ofSeconds(10)).job().state()).isEqualTo(JobState.QUEUED);
            long started = System.nanoTime();

            assertThatThrownBy(() -> stream.next(Duration.ofSeconds(15)))
                    .isInstanceOf(KbsyncException.Unreachable.class)
                    .hasMessageContaining("2500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
        }
    }

    /**
     * A coordinator whose keep-alive period is longer than the client's idle timeout: its stream, silent between two
     * keep-alives for longer than that timeout, goes on.
     */
    @Test
    void shouldKeepAStreamWhoseAnnouncedKeepAlivePeriodIsLongerThanTheIdleTimeout() throws Exception {
        server.on("/v1/jobs/j17/events", r -> {
            r.response().putHeader(KEEP_ALIVE, "2");
            open(r.response(), frame("state", job("j17", "queued")));
            server.vertx.setTimer(1500, t -> r.response().write(": keep-alive\n\n"));
            server.vertx.setTimer(3000, t -> r.response().end(frame("state", job("j17", "done"))));
        });
        try (KbsyncClient quick = KbsyncClient.create(
                        ClientOptions.of(server.url(), "t").withStreamIdleTimeout(Duration.ofSeconds(1)));
                var stream = quick.jobEvents("j17")) {
            List<JobEvent> events = new ArrayList<>();
            stream.forEach(events::add);

            assertThat(events).extracting(e -> e.job().state()).containsExactly(JobState.QUEUED, JobState.DONE);
        }
    }

    /** A coordinator that takes a stream's request and never answers it: the stream fails to open, it does not hang. */
    @Test
    void shouldFailToOpenAStreamWhoseCoordinatorNeverAnswers() {
        server.on("/v1/jobs/j18/events", r -> {}); // no answer, not even headers
        try (KbsyncClient quick =
                KbsyncClient.create(ClientOptions.of(server.url(), "t").withStreamIdleTimeout(Duration.ofSeconds(1)))) {
            long started = System.nanoTime();

            assertThatThrownBy(() ->
                            quick.async().followJob("j18", e -> {}).await(20, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(KbsyncException.TimedOut.class)
                    .hasMessageContaining("did not start within 1000 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldCloseALeaseChannelThatHearsNothingForItsIdleTimeout() throws Exception {
        io.vertx.core.http.HttpServer silent = server.vertx
                .createHttpServer()
                .webSocketHandler(ws -> {}) // accepts, then never pings nor answers
                .listen(0, "127.0.0.1")
                .await(10, java.util.concurrent.TimeUnit.SECONDS);
        try (KbsyncClient quick = KbsyncClient.create(
                ClientOptions.of(java.net.URI.create("http://127.0.0.1:" + silent.actualPort()), "t")
                        .withStreamIdleTimeout(Duration.ofSeconds(1)))) {
            LeaseChannel channel = quick.async().openLeaseChannel().await(10, java.util.concurrent.TimeUnit.SECONDS);

            channel.closed().await(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldOpenAWaitsStreamAgainWhenItEndsBeforeTheJob() {
        // a coordinator that stops ends its streams (its client resumes elsewhere): the wait reads the job, then opens
        // its stream again and goes on waiting
        AtomicInteger opened = new AtomicInteger();
        server.answer("/v1/jobs/j8", 200, job("j8", "queued").encode());
        server.on("/v1/jobs/j8/events", r -> {
            if (opened.incrementAndGet() == 1) {
                open(r.response(), frame("state", job("j8", "queued"))).end();
            } else {
                open(r.response(), frame("state", job("j8", "queued"))).end(frame("state", job("j8", "done")));
            }
        });

        assertThat(client.awaitJob("j8", Duration.ofSeconds(10)).state()).isEqualTo(JobState.DONE);
        assertThat(opened).hasValue(2);
    }

    @Test
    void shouldOpenAWaitsStreamAgainWhenItsConnectionBreaks() {
        // a coordinator's stop closes the stream's connection; a network cut resets it
        AtomicInteger opened = new AtomicInteger();
        server.answer("/v1/jobs/j10", 200, job("j10", "running").encode());
        server.on("/v1/jobs/j10/events", r -> {
            if (opened.incrementAndGet() == 1) {
                open(r.response(), frame("state", job("j10", "running")));
                server.vertx.setTimer(50, t -> r.connection().close());
            } else {
                open(r.response(), frame("state", job("j10", "running"))).end(frame("state", job("j10", "done")));
            }
        });

        assertThat(client.awaitJob("j10", Duration.ofSeconds(10)).state()).isEqualTo(JobState.DONE);
        assertThat(opened).hasValue(2);
    }

    @Test
    void shouldOpenAWaitsStreamAgainWhenTheCoordinatorEndsItWithAnError() {
        AtomicInteger opened = new AtomicInteger();
        server.answer("/v1/jobs/j11", 200, job("j11", "queued").encode());
        server.on("/v1/jobs/j11/events", r -> {
            if (opened.incrementAndGet() == 1) {
                open(r.response(), frame("state", job("j11", "queued")))
                        .end(
                                "event: error\ndata: {\"error\":{\"code\":\"SLOW_CONSUMER\",\"message\":\"too slow\"}}\n\n");
            } else {
                open(r.response(), frame("state", job("j11", "queued"))).end(frame("state", job("j11", "done")));
            }
        });

        assertThat(client.awaitJob("j11", Duration.ofSeconds(10)).state()).isEqualTo(JobState.DONE);
        assertThat(opened).hasValue(2);
    }

    @Test
    void shouldReadTheJobBeforeOpeningItsStreamAgainSoThatAFinishMeanwhileIsNotMissed() {
        AtomicInteger opened = new AtomicInteger();
        server.answer("/v1/jobs/j12", 200, job("j12", "done").encode());
        server.on("/v1/jobs/j12/events", r -> {
            opened.incrementAndGet();
            open(r.response(), frame("state", job("j12", "queued"))).end();
        });

        assertThat(client.awaitJob("j12", Duration.ofSeconds(10)).commit()).isEqualTo("c0ffee");
        assertThat(opened).hasValue(1);
    }

    @Test
    void shouldFailAWaitWithTheTimeoutErrorWhenItsStreamKeepsEndingBeforeTheJob() {
        AtomicInteger opened = new AtomicInteger();
        server.answer("/v1/jobs/j6", 200, job("j6", "queued").encode());
        server.on("/v1/jobs/j6/events", r -> {
            opened.incrementAndGet();
            open(r.response(), frame("state", job("j6", "queued"))).end();
        });
        long started = System.nanoTime();

        assertThatThrownBy(() -> client.awaitJob("j6", Duration.ofMillis(2500)))
                .isInstanceOf(KbsyncException.TimedOut.class)
                .hasMessageContaining("job j6 did not finish within 2500 ms");
        assertThat(opened.get()).isGreaterThanOrEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    /**
     * A wait its caller gave up (the thread interrupted, e.g. {@code Future.cancel(true)} of the task it runs in) ends
     * then: its stream closed, never opened again. Before, it went on reading and reopening the job's stream until its
     * own timeout (an hour's wait held a stream for an hour).
     */
    @Test
    void shouldStopAWaitWhoseCallerWasInterrupted() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        server.answer("/v1/jobs/j15", 200, job("j15", "queued").encode());
        server.on("/v1/jobs/j15/events", r -> {
            opened.incrementAndGet();
            open(r.response(), frame("state", job("j15", "queued"))).end(); // ends early: the wait opens it again
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                client.awaitJob("j15", Duration.ofMinutes(5));
            } catch (RuntimeException e) {
                thrown.set(e);
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() >= 2);

        waiter.interrupt();
        waiter.join(5_000);

        assertThat(thrown.get()).isInstanceOf(KbsyncException.Interrupted.class);
        int atInterrupt = opened.get();
        Thread.sleep(3_000); // several of its retry pauses
        assertThat(opened.get()).as("streams opened after the caller gave up").isLessThanOrEqualTo(atInterrupt + 1);
    }

    @Test
    void shouldEndAWaitAtOnceWhenTheJobIsNotFoundOnceItsStreamEnded() {
        server.answer("/v1/jobs/j13", 404, "{\"error\":{\"code\":\"JOB_NOT_FOUND\",\"message\":\"no job\"}}");
        server.on(
                "/v1/jobs/j13/events",
                r -> open(r.response(), frame("state", job("j13", "queued"))).end());
        long started = System.nanoTime();

        assertThatThrownBy(() -> client.awaitJob("j13", Duration.ofSeconds(30)))
                .as("a definite answer: waiting longer cannot change it")
                .isInstanceOf(KbsyncException.NotFound.class)
                .hasMessageContaining("JOB_NOT_FOUND");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldEndAWaitAtOnceWhenItsStreamIsRefusedForTheToken() {
        AtomicInteger opened = new AtomicInteger();
        server.answer("/v1/jobs/j14", 200, job("j14", "queued").encode());
        server.on("/v1/jobs/j14/events", r -> {
            if (opened.incrementAndGet() == 1) {
                open(r.response(), frame("state", job("j14", "queued"))).end();
            } else {
                r.response()
                        .setStatusCode(403)
                        .putHeader("Content-Type", "application/json")
                        .end("{\"error\":{\"code\":\"SCOPE_KB\",\"message\":\"not yours\"}}");
            }
        });
        long started = System.nanoTime();

        assertThatThrownBy(() -> client.awaitJob("j14", Duration.ofSeconds(30)))
                .isInstanceOf(KbsyncException.Forbidden.class);
        assertThat(opened).hasValue(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldWaitThroughA503OfTheJobsStreamAfterItsRetryAfter() {
        // a job accepted while the coordinator's Redis was down (in its journal): its stream needs Redis, and
        // answers 503 with Retry-After until the job is there
        AtomicInteger asked = new AtomicInteger();
        server.answer("/v1/jobs/j5", 200, job("j5", "queued").encode()); // from the journal
        server.on("/v1/jobs/j5/events", r -> {
            if (asked.incrementAndGet() == 1) {
                r.response()
                        .setStatusCode(503)
                        .putHeader("Retry-After", "1")
                        .putHeader("Content-Type", "application/json")
                        .end("{\"error\":{\"code\":\"REDIS_UNAVAILABLE\",\"message\":\"Redis is unreachable\"}}");
            } else {
                open(r.response(), frame("state", job("j5", "queued"))).end(frame("state", job("j5", "done")));
            }
        });

        assertThat(client.awaitJob("j5", Duration.ofSeconds(10)).state()).isEqualTo(JobState.DONE);
        assertThat(asked.get()).isEqualTo(2);
    }

    @Test
    void shouldWaitForTheJobToFinish() {
        server.on("/v1/jobs/j2/events", r -> {
            open(r.response(), frame("state", job("j2", "queued")));
            server.vertx.setTimer(50, t -> r.response().end(frame("state", job("j2", "done"))));
        });

        assertThat(client.awaitJob("j2", Duration.ofSeconds(10)).commit()).isEqualTo("c0ffee");
    }

    @Test
    void shouldTimeOutWaitingForAJobThatDoesNotFinishAndCloseItsStream() {
        List<HttpServerResponse> open = new CopyOnWriteArrayList<>();
        server.on("/v1/jobs/j3/events", r -> {
            open.add(open(r.response(), frame("state", job("j3", "queued"))));
            r.connection().closeHandler(v -> open.remove(r.response()));
        });

        assertThatThrownBy(() -> client.awaitJob("j3", Duration.ofMillis(200)))
                .isInstanceOf(KbsyncException.TimedOut.class)
                .hasMessageContaining("job j3 did not finish within 200 ms");
        await().atMost(Duration.ofSeconds(5)).until(open::isEmpty);
    }

    @Test
    void shouldReportPositionsUntilTheLeaseIsGranted() {
        server.on(
                "/v1/leases/l1/events",
                r -> open(
                        r.response(),
                        frame("state", lease("l1", "waiting", 2)),
                        frame("position", lease("l1", "waiting", 1)),
                        frame("state", lease("l1", "granted", 0))));
        List<Long> positions = new CopyOnWriteArrayList<>();

        var lease = client.awaitGrant("l1", Duration.ofSeconds(10), positions::add);

        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(positions).containsExactly(2L, 1L);
    }

    @Test
    void shouldFailWithLeaseLostWhenTheLeaseEndsWhileWaiting() {
        server.on(
                "/v1/leases/l2/events",
                r -> open(r.response(), frame("state", lease("l2", "waiting", 1)))
                        .end(frame("state", lease("l2", "expired", 0))));

        assertThatThrownBy(() -> client.awaitGrant("l2", Duration.ofSeconds(10), ahead -> {}))
                .isInstanceOf(KbsyncException.LeaseLost.class)
                .hasMessageContaining("ended while waiting: expired");
    }

    /**
     * A stream that ends before the lease's grant or end (a stopping coordinator closes its streams) says nothing of the
     * lease: the wait fails as a connection that closed does, a {@link KbsyncException}, not an iterator's
     * {@link java.util.NoSuchElementException}.
     */
    @Test
    void shouldFailAsUnreachableWhenTheLeaseStreamEndsBeforeTheGrant() {
        server.on(
                "/v1/leases/l3/events",
                r -> open(r.response(), frame("state", lease("l3", "waiting", 1)))
                        .end());

        assertThatThrownBy(() -> client.awaitGrant("l3", Duration.ofSeconds(10), ahead -> {}))
                .isInstanceOf(KbsyncException.Unreachable.class)
                .hasMessageContaining("lease stream ended before the grant");
    }

    @Test
    void shouldFailToOpenAStreamWithTheErrorAnswer() {
        assertThatThrownBy(() -> client.leaseEvents("nope")).isInstanceOf(KbsyncException.NotFound.class);
    }

    @Test
    void shouldStopWhenClosedAndKeepWhatCameBefore() {
        server.on("/v1/events", r -> open(r.response(), frame("snapshot", snapshot("team"))));
        var stream = client.allQueueEvents();

        assertThat(stream.next(Duration.ofSeconds(10)))
                .isEqualTo(new SnapshotEvent(QueueSnapshot.fromJson(snapshot("team"))));
        assertThatThrownBy(() -> stream.next(Duration.ofMillis(50))).isInstanceOf(KbsyncException.TimedOut.class);
        stream.close();
        assertThat(stream.hasNext()).isFalse();
    }

    /**
     * A KB's own queue stream ends with {@code kb-removed} when the KB is removed: the reader gets that event, then the
     * end, so a bot following the KB learns it is gone (before, the event was dropped and the stream just ended, as a
     * stopping coordinator's does).
     */
    @Test
    void shouldDeliverKbRemovedAsTheLastEventOfAKbsQueueStream() {
        server.on(
                "/v1/kbs/team/events",
                r -> open(r.response(), frame("snapshot", snapshot("team")))
                        .end(frame("kb-removed", new JsonObject().put("kb", "team"))));

        List<KbsyncEvent> events = new ArrayList<>();
        try (var stream = client.queueEvents(KbId.of("team"))) {
            stream.forEach(events::add);
        }

        assertThat(events).extracting(KbsyncEvent::name).containsExactly("snapshot", "kb-removed");
        assertThat(events.get(0)).isInstanceOf(SnapshotEvent.class);
        assertThat(events.get(1)).isEqualTo(new KbRemovedEvent(KbId.of("team")));
    }

    /** On the stream of every KB's queue a {@code kb-removed} is one event among the others: the stream goes on. */
    @Test
    void shouldDeliverKbRemovedOnTheStreamOfAllQueuesAndGoOn() {
        server.on(
                "/v1/events",
                r -> open(
                        r.response(),
                        frame("snapshot", snapshot("team")),
                        frame("kb-removed", new JsonObject().put("kb", "team")),
                        frame("snapshot", snapshot("other"))));

        try (var stream = client.allQueueEvents()) {
            List<KbsyncEvent> events = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                events.add(stream.next(Duration.ofSeconds(10)));
            }

            assertThat(events).extracting(KbsyncEvent::name).containsExactly("snapshot", "kb-removed", "snapshot");
            assertThat(events.get(1)).isEqualTo(new KbRemovedEvent(KbId.of("team")));
        }
    }

    private static JsonObject snapshot(String kb) {
        return new JsonObject()
                .put("kb", kb)
                .put("holder", null)
                .put("running", new JsonArray())
                .put("waiters", new JsonArray())
                .put("avgHoldMs", 0);
    }

    /** Opens a stream as the coordinator does and writes {@code chunks}. */
    private static HttpServerResponse open(HttpServerResponse response, String... chunks) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.write(": kbsync\n\n");
        for (String chunk : chunks) {
            response.write(chunk);
        }
        return response;
    }
}
