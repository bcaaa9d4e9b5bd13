package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kbsync.api.ApiError;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

// Listens to LeaseKeeper's logger: alone, so that no other class's keeper logs into it.
@Isolated
class LeaseKeeperTest {
    private static final Instant GRANTED = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void shouldStopTheMarginBeforeTheDeadlineCountingFromTheLeasesOwnTimes() {
        // claimed 40 s into a 300 s hold: expires at +70 s (ttl 30 s), deadline at +300 s: 260 s left at arrival
        Lease lease = lease(GRANTED.plusSeconds(70), GRANTED.plusSeconds(300), 30_000);

        assertThat(LeaseKeeper.untilStop(lease, Duration.ofSeconds(5))).contains(Duration.ofSeconds(255));
    }

    /**
     * A grant whose expiry the coordinator capped (a raw waiter's grant at its keep-alive; any grant at its deadline)
     * says less than a TTL after its grant: its time left counts from the grant, not from expiry less TTL.
     */
    @Test
    void shouldCountFromTheGrantWhenTheExpiryWasCappedBelowATtlAfterIt() {
        Lease keptAlive = lease(GRANTED.plusSeconds(4), GRANTED.plusSeconds(300), 30_000);
        Lease atDeadline = lease(GRANTED.plusSeconds(300), GRANTED.plusSeconds(300), 600_000);

        assertThat(LeaseKeeper.untilStop(keptAlive, Duration.ofSeconds(5))).contains(Duration.ofSeconds(295));
        assertThat(LeaseKeeper.untilStop(atDeadline, Duration.ofSeconds(5))).contains(Duration.ofSeconds(295));
    }

    /**
     * A job claimed 20 s after its grant, with the TTL as long as the maximum hold (60 s): its expiry is capped at the
     * deadline, which says nothing of when it was read; the claim's time does (the job's {@code startedAt}, on the
     * coordinator's clock): 40 s left, not 60.
     */
    @Test
    void shouldCountFromTheClaimWhenTheExpiryWasCappedAtTheDeadline() {
        Lease claimed = lease(GRANTED.plusSeconds(60), GRANTED.plusSeconds(60), 60_000);

        assertThat(LeaseKeeper.untilStop(claimed, GRANTED.plusSeconds(20), Duration.ofSeconds(5)))
                .contains(Duration.ofSeconds(35));
        assertThat(LeaseKeeper.untilStop(claimed, null, Duration.ofSeconds(5)))
                .as("unknown: as before")
                .contains(Duration.ofSeconds(55));
    }

    @Test
    void shouldCapTheMarginAtHalfTheTtlSoTheGrantLivesUpToItsDeadline() {
        Lease lease = lease(GRANTED.plusSeconds(2), GRANTED.plusSeconds(4), 2_000);

        assertThat(LeaseKeeper.untilStop(lease, Duration.ofSeconds(5))).contains(Duration.ofSeconds(3));
    }

    @Test
    void shouldNotStopALeaseWithoutADeadline() {
        assertThat(LeaseKeeper.untilStop(lease(GRANTED, null, 30_000), Duration.ofSeconds(5)))
                .isEmpty();
    }

    /** The deadline's log line says what the unit was doing: a push hung on the network, an agent still running. */
    @Test
    void shouldSayWhatTheUnitWasDoingWhenItsDeadlineStopsIt() {
        Instant now = Instant.now();
        // 300 ms left, stopped 100 ms before: long before the first heartbeat (every 20 s), so no client is needed
        Lease lease = lease(now.plusSeconds(60), now.plusMillis(300), 60_000);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LeaseKeeper.class);
        logger.addAppender(logs);
        Vertx vertx = Vertx.vertx();
        try (LeaseKeeper keeper =
                new LeaseKeeper(vertx, null, new ModeTracker(FallbackMode.LOCAL), lease, Duration.ofMillis(100))) {
            keeper.doing("pushing to https://git.example.org/team/kb.git");

            await().atMost(Duration.ofSeconds(3)).until(() -> !logs.list.isEmpty());

            assertThat(keeper.stop().stopped()).isPresent();
            assertThat(logs.list.get(0).getFormattedMessage())
                    .contains("reaches its deadline")
                    .contains("while pushing to https://git.example.org/team/kb.git");
        } finally {
            logger.detachAppender(logs);
            vertx.close();
        }
    }

    /**
     * A slow coordinator does not pile up heartbeats: a beat is skipped while the previous one is in flight (for less
     * than a period), so one lease never holds more than two of Vert.x's worker threads (which the health server's
     * handlers need too).
     */
    @Test
    void shouldSkipABeatWhileThePreviousHeartbeatIsStillInFlight() throws Exception {
        // a 300 ms TTL beats every 100 ms; each heartbeat is answered after 1 s
        Lease lease = lease(Instant.now().plusSeconds(60), null, 300);
        String answer = lease.toJson().encode();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger heartbeats = new AtomicInteger();
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer slow = vertx.createHttpServer()
                    .requestHandler(r -> {
                        heartbeats.incrementAndGet();
                        most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        vertx.setTimer(1_000, id -> {
                            inFlight.decrementAndGet();
                            r.response()
                                    .putHeader("Content-Type", "application/json")
                                    .end(answer);
                        });
                    })
                    .listen(0, "127.0.0.1")
                    .await(10, TimeUnit.SECONDS);
            URI url = URI.create("http://127.0.0.1:" + slow.actualPort());
            try (KbsyncClient client = KbsyncClient.create(vertx, ClientOptions.of(url, "t"));
                    LeaseKeeper keeper = new LeaseKeeper(vertx, client, new ModeTracker(FallbackMode.LOCAL), lease)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() >= 3);

                assertThat(most.get()).as("heartbeats in flight at once").isBetween(1, 2);
                assertThat(keeper.stop().stopped()).isEmpty();
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * One heartbeat whose answer never comes (a stalled connection) does not keep the next ones back: the lease would
     * lapse while the coordinator answers every other call. A beat whose heartbeat has been under way for a period is
     * followed by another one.
     */
    @Test
    void shouldBeatAgainWhileAHeartbeatHangs() throws Exception {
        // a 300 ms TTL beats every 100 ms; the first heartbeat is never answered, the others at once
        Lease lease = lease(Instant.now().plusSeconds(60), null, 300);
        String answer = lease.toJson().encode();
        AtomicInteger heartbeats = new AtomicInteger();
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer hanging = vertx.createHttpServer()
                    .requestHandler(r -> {
                        if (heartbeats.incrementAndGet() > 1) {
                            r.response()
                                    .putHeader("Content-Type", "application/json")
                                    .end(answer);
                        }
                    })
                    .listen(0, "127.0.0.1")
                    .await(10, TimeUnit.SECONDS);
            URI url = URI.create("http://127.0.0.1:" + hanging.actualPort());
            try (KbsyncClient client = KbsyncClient.create(vertx, ClientOptions.of(url, "t"));
                    LeaseKeeper keeper = new LeaseKeeper(vertx, client, new ModeTracker(FallbackMode.LOCAL), lease)) {
                await().atMost(Duration.ofSeconds(20)) // a loaded full run once sent too few within 5 s
                        .alias("heartbeats sent while the first one hangs")
                        .until(() -> heartbeats.get() >= 3);
                assertThat(keeper.stop().stopped()).isEmpty();
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A pre-push check's GRANTED answer is trusted only while its heartbeat was sent less than the bound (two thirds of
     * the TTL) ago: a JVM frozen (SIGSTOP, a long GC pause) between the answer and the push finds the answer too old,
     * heartbeats again, and stops the push when the coordinator took the grant back meanwhile.
     */
    @Test
    void shouldHeartbeatAgainBeforeThePushWhenTheStartedChecksAnswerIsTooOld() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger heartbeats = new AtomicInteger();
        Vertx vertx = Vertx.vertx();
        try (KbsyncClient client = grantedOnceThenLost(vertx, heartbeats, () -> {});
                LeaseKeeper keeper = frozenKeeper(vertx, client, now)) {
            // frozen past two thirds of the 60 s TTL
            PrePushCheck check = answeredThenFrozen(keeper, heartbeats, now, Duration.ofSeconds(41));

            assertLeaseLost(check::await);
            assertThat(heartbeats.get())
                    .as("heartbeats: the check's, then one at the push")
                    .isEqualTo(2);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** The synchronous check's own answer is bounded the same way: one that came too late is confirmed again. */
    @Test
    void shouldHeartbeatAgainBeforeThePushWhenTheSynchronousChecksAnswerCameTooLate() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger heartbeats = new AtomicInteger();
        Vertx vertx = Vertx.vertx();
        try (KbsyncClient client = grantedOnceThenLost(
                        vertx,
                        heartbeats,
                        () -> now.addAndGet(Duration.ofSeconds(41).toNanos()));
                LeaseKeeper keeper = frozenKeeper(vertx, client, now)) {
            assertLeaseLost(keeper::checkBeforePush);
            assertThat(heartbeats.get()).isEqualTo(2);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** A fresh GRANTED answer is trusted as it is: no second heartbeat. */
    @Test
    void shouldTrustAGrantedAnswerWithinTheBound() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger heartbeats = new AtomicInteger();
        Vertx vertx = Vertx.vertx();
        try (KbsyncClient client = grantedOnceThenLost(vertx, heartbeats, () -> {});
                LeaseKeeper keeper = frozenKeeper(vertx, client, now)) {
            PrePushCheck check = keeper.startCheckBeforePush();
            now.addAndGet(Duration.ofSeconds(39).toNanos());

            check.await();
            assertThat(heartbeats.get()).isEqualTo(1);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Near its deadline a heartbeat keeps the grant only up to the deadline, not a TTL on: an answer within the trust
     * bound does not let a push go ahead once the unit's deadline passed (a worker frozen across it pushes nothing).
     */
    @Test
    void shouldNotPushPastTheDeadlineOnAGrantedAnswerWithinTheBound() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger heartbeats = new AtomicInteger();
        Vertx vertx = Vertx.vertx();
        try (KbsyncClient client = grantedOnceThenLost(vertx, heartbeats, () -> {});
                LeaseKeeper keeper =
                        frozenKeeper(vertx, client, now, Instant.now().plusSeconds(30))) {
            // past the unit's stop (30 s deadline, 5 s margin)
            PrePushCheck check = answeredThenFrozen(keeper, heartbeats, now, Duration.ofSeconds(26));

            assertStoppedAtTheDeadline(check::await);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The confirming heartbeat (the check's answer was too old) is judged against the deadline too: a worker frozen
     * across the unit's stop while it waited for that answer pushes nothing, however fresh the answer.
     */
    @Test
    void shouldNotPushPastTheDeadlineOnTheConfirmingHeartbeatsAnswer() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger heartbeats = new AtomicInteger();
        Vertx vertx = Vertx.vertx();
        String granted =
                lease(Instant.now().plusSeconds(60), null, 60_000).toJson().encode();
        try (KbsyncClient client = coordinator(vertx, r -> {
                    if (heartbeats.incrementAndGet() == 2) { // frozen across the stop while it waited: 20 s
                        now.addAndGet(Duration.ofSeconds(20).toNanos());
                    }
                    r.response().putHeader("Content-Type", "application/json").end(granted);
                });
                LeaseKeeper keeper =
                        frozenKeeper(vertx, client, now, Instant.now().plusSeconds(60))) {
            // the check's answer 41 s old (trusted for 40 s), before the unit's stop (60 s deadline, 5 s margin)
            PrePushCheck check = answeredThenFrozen(keeper, heartbeats, now, Duration.ofSeconds(41));

            assertStoppedAtTheDeadline(check::await);
            assertThat(heartbeats.get())
                    .as("the check's heartbeat, then the confirming one")
                    .isEqualTo(2);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A heartbeat answered 404 LEASE_NOT_FOUND (the coordinator knows the lease no more: its records gone) means the
     * grant is not the unit's: the push is stopped as for a lost lease, never failed as an internal error.
     */
    @Test
    void shouldStopThePushWhenTheCoordinatorKnowsTheLeaseNoMore() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (KbsyncClient client = refusing(vertx, 404, new ApiError("LEASE_NOT_FOUND", "no lease \"l\""));
                LeaseKeeper keeper = frozenKeeper(vertx, client, new AtomicLong())) {
            assertLeaseLost(keeper::checkBeforePush);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A heartbeat refused for good (401 UNAUTHENTICATED here; also 403 or another 4xx than 409 and 404): the grant can be
     * neither confirmed nor kept, so the push is stopped as for a lost lease, not failed with the bare {@link
     * IllegalStateException} a closed library session throws. Started or synchronous, the check says the same.
     */
    @Test
    void shouldStopThePushAsLeaseLostWhenTheCoordinatorRefusesTheHeartbeat() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (KbsyncClient client = refusing(vertx, 401, new ApiError("UNAUTHENTICATED", "unknown bearer token"));
                LeaseKeeper keeper = frozenKeeper(vertx, client, new AtomicLong())) {
            assertThatThrownBy(keeper.startCheckBeforePush()::await)
                    .isInstanceOfSatisfying(
                            UnitAbortedException.class,
                            e -> assertThat(e.code()).isEqualTo(UnitAbortedException.LEASE_LOST))
                    .hasMessageContaining("UNAUTHENTICATED");
            assertLeaseLost(keeper::checkBeforePush);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private static void assertStoppedAtTheDeadline(ThrowingCallable check) {
        assertThatThrownBy(check)
                .isInstanceOfSatisfying(
                        UnitAbortedException.class,
                        e -> assertThat(e.code()).isEqualTo(UnitAbortedException.MAX_HOLD_EXCEEDED));
    }

    private static void assertLeaseLost(ThrowingCallable check) {
        assertThatThrownBy(check)
                .isInstanceOfSatisfying(
                        UnitAbortedException.class,
                        e -> assertThat(e.code()).isEqualTo(UnitAbortedException.LEASE_LOST));
    }

    /** A keeper of a 60 s lease (heartbeats every 20 s: none during the test) whose time is {@code now}. */
    private static LeaseKeeper frozenKeeper(Vertx vertx, KbsyncClient client, AtomicLong now) {
        return frozenKeeper(vertx, client, now, null);
    }

    /** {@link #frozenKeeper(Vertx, KbsyncClient, AtomicLong)} of a lease with that deadline (null: none). */
    private static LeaseKeeper frozenKeeper(Vertx vertx, KbsyncClient client, AtomicLong now, Instant deadline) {
        Lease lease = lease(Instant.now().plusSeconds(60), deadline, 60_000);
        return new LeaseKeeper(
                vertx, client, new ModeTracker(FallbackMode.LOCAL), lease, null, Duration.ofSeconds(5), now::get);
    }

    /** A started pre-push check, once its heartbeat was answered, then the keeper's time moved on by {@code frozen}. */
    private static PrePushCheck answeredThenFrozen(
            LeaseKeeper keeper, AtomicInteger heartbeats, AtomicLong now, Duration frozen) {
        PrePushCheck check = keeper.startCheckBeforePush();
        await().atMost(Duration.ofSeconds(10)).until(() -> heartbeats.get() == 1);
        now.addAndGet(frozen.toNanos());
        return check;
    }

    /**
     * A client of a coordinator that answers the first heartbeat GRANTED (after running {@code beforeFirstAnswer}) and
     * every later one 409 LEASE_LOST: the job was granted again elsewhere.
     */
    private static KbsyncClient grantedOnceThenLost(Vertx vertx, AtomicInteger heartbeats, Runnable beforeFirstAnswer)
            throws Exception {
        String granted =
                lease(Instant.now().plusSeconds(60), null, 60_000).toJson().encode();
        String lost = new ApiError(ApiError.LEASE_LOST, "lease \"l\" is no longer held")
                .toJson()
                .encode();
        return coordinator(vertx, r -> {
            boolean first = heartbeats.incrementAndGet() == 1;
            if (first) {
                beforeFirstAnswer.run();
            }
            r.response()
                    .setStatusCode(first ? 200 : 409)
                    .putHeader("Content-Type", "application/json")
                    .end(first ? granted : lost);
        });
    }

    /** A client of a coordinator that answers every request {@code status} with {@code error}. */
    private static KbsyncClient refusing(Vertx vertx, int status, ApiError error) throws Exception {
        String body = error.toJson().encode();
        return coordinator(
                vertx,
                r -> r.response()
                        .setStatusCode(status)
                        .putHeader("Content-Type", "application/json")
                        .end(body));
    }

    /** A client of a coordinator that answers every request with {@code answer}. */
    private static KbsyncClient coordinator(Vertx vertx, Handler<HttpServerRequest> answer) throws Exception {
        HttpServer server = vertx.createHttpServer()
                .requestHandler(answer)
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        return KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + server.actualPort()), "t"));
    }

    private static Lease lease(Instant expires, Instant deadline, long ttlMs) {
        return new Lease("l", KbId.of("team"), "w", LeaseState.GRANTED, 0, 7L, "j", GRANTED, expires, deadline, ttlMs);
    }
}
