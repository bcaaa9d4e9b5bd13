package dev.kbsync.api.client;

import static dev.kbsync.api.client.Samples.frame;
import static dev.kbsync.api.client.Samples.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.event.JobEvent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking calls made on a Vert.x worker thread of the client's own instance (a worker verticle): the exchange runs on
 * one of the client's event loops, not queued on the caller's worker context behind the caller's own blocked task
 * (where it waited for the call's whole timeout and went out late).
 */
class WorkerCallerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PROMPT = Duration.ofSeconds(3); // well within the call's timeout

    private final FakeCoordinator server = new FakeCoordinator();
    private final Vertx vertx = Vertx.vertx();
    private final KbsyncClient client = KbsyncClient.create(
            vertx, ClientOptions.of(server.url(), "secret-token").withRequestTimeout(TIMEOUT));
    private final AtomicLong seenAtNanos = new AtomicLong();

    WorkerCallerTest() throws Exception {}

    @AfterEach
    void stop() throws Exception {
        client.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void shouldAnswerABlockingCallMadeInAWorkerVerticlePromptly() throws Exception {
        server.on("/healthz", r -> {
            seenAtNanos.compareAndSet(0, System.nanoTime());
            r.response().end("{\"status\":\"ok\"}");
        });
        long start = System.nanoTime();

        inWorkerVerticle(client::health);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
        assertThat(Duration.ofNanos(seenAtNanos.get() - start))
                .as("the request went out at once")
                .isPositive()
                .isLessThan(PROMPT);
    }

    @Test
    void shouldAnswerABlockingCallMadeInExecuteBlockingPromptly() throws Exception {
        server.on("/healthz", r -> r.response().end("{\"status\":\"ok\"}"));
        long start = System.nanoTime();

        vertx.executeBlocking(() -> {
                    client.health();
                    return null;
                })
                .await(20, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
    }

    @Test
    void shouldReadAJobsStreamInAWorkerVerticle() throws Exception {
        server.on(
                "/v1/jobs/j1/events",
                r -> r.response()
                        .setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .write(frame("state", job("j1", "queued")))
                        .compose(v -> r.response().end(frame("state", job("j1", "done")))));
        List<JobState> states = new ArrayList<>();
        long start = System.nanoTime();

        inWorkerVerticle(() -> {
            try (EventStream<JobEvent> events = client.jobEvents("j1")) {
                events.forEach(e -> states.add(e.job().state()));
            }
        });

        assertThat(states).containsExactly(JobState.QUEUED, JobState.DONE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
    }

    /** A worker verticle's {@code awaitJob} ends at its own timeout, not the blocked caller's last guard after it. */
    @Test
    void shouldEndAnAwaitJobInAWorkerVerticleAtItsTimeout() throws Exception {
        server.on(
                "/v1/jobs/j1/events",
                r -> r.response()
                        .setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .write(frame("state", job("j1", "queued")))); // then silence
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();

        inWorkerVerticle(() -> {
            try {
                client.awaitJob("j1", Duration.ofSeconds(1));
            } catch (KbsyncException e) {
                failure.set(e);
            }
        });

        assertThat(failure.get()).isInstanceOf(KbsyncException.TimedOut.class).hasMessageContaining("did not finish");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
    }

    /**
     * A lease channel's call made in a worker verticle times out at the channel's own time for it, and the channel
     * closes there at once.
     */
    @Test
    void shouldTimeALeaseChannelsCallOutAndCloseItInAWorkerVerticle() throws Exception {
        server.on("/v1/leases/channel", r -> r.toWebSocket().onSuccess(ws -> ws.textMessageHandler(frame -> {})));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong closedAfterNanos = new AtomicLong();
        KbsyncClient quick = KbsyncClient.create(
                vertx, ClientOptions.of(server.url(), "secret-token").withRequestTimeout(Duration.ofSeconds(1)));

        inWorkerVerticle(() -> {
            BlockingLeaseChannel channel = quick.openLeaseChannel();
            try {
                channel.heartbeat("l1"); // never answered
            } catch (KbsyncException e) {
                failure.set(e);
            }
            long closing = System.nanoTime();
            channel.close();
            closedAfterNanos.set(System.nanoTime() - closing);
        });

        assertThat(failure.get())
                .isInstanceOf(KbsyncException.TimedOut.class)
                .hasMessageContaining("no answer on the lease channel within");
        assertThat(Duration.ofNanos(closedAfterNanos.get())).isLessThan(PROMPT);
        quick.close();
    }

    /** A client closed in a worker verticle (its stop, say) closes at once. */
    @Test
    void shouldCloseAClientInAWorkerVerticle() throws Exception {
        server.on("/healthz", r -> r.response().end("{\"status\":\"ok\"}"));
        KbsyncClient other = KbsyncClient.create(vertx, ClientOptions.of(server.url(), "secret-token"));
        other.health(); // a connection to close
        long start = System.nanoTime();

        inWorkerVerticle(other::close);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
    }

    /**
     * A lease held by a worker verticle's task is heartbeaten while that task works under it: the heartbeats' timer
     * does not wait for the task on its worker context (the lease would lapse under the holder).
     */
    @Test
    void shouldHeartbeatALeaseHeldInAWorkerVerticleWhileItWorks() throws Exception {
        server.answer(
                "/v1/kbs/team/leases",
                200,
                Samples.lease("l1", "granted", 0).put("ttlMs", 900).encode());
        AtomicInteger heartbeats = new AtomicInteger();
        server.on("/v1/leases/l1/heartbeat", r -> {
            heartbeats.incrementAndGet();
            r.response().end(Samples.lease("l1", "granted", 0).put("ttlMs", 900).encode());
        });
        server.on(
                "/v1/leases/l1",
                r -> r.response().end(Samples.lease("l1", "released", 0).encode()));
        AtomicBoolean lost = new AtomicBoolean(true);

        inWorkerVerticle(() -> {
            try (HeldLease held = client.hold(KbId.of("team"), LeaseRequest.of("bot"), Duration.ofSeconds(5))) {
                Thread.sleep(2_000); // works under the lease: more than two TTLs
                lost.set(held.lost());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(heartbeats.get()).as("one at once, then every 300 ms").isGreaterThanOrEqualTo(4);
        assertThat(lost).isFalse();
    }

    /** Runs {@code action} in the start of a verticle deployed with the worker threading model. */
    private void inWorkerVerticle(Runnable action) throws Exception {
        vertx.deployVerticle(
                        new VerticleBase() {
                            @Override
                            public Future<?> start() {
                                action.run(); // blocks this worker thread within the worker context's task
                                return Future.succeededFuture();
                            }
                        },
                        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
                .await(30, TimeUnit.SECONDS);
    }
}
