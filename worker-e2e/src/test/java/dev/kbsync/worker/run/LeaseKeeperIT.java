package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.apply.StopSignal;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The lease keeper against a real coordinator: only a granted lease may push; a lost one stops the unit at once. */
class LeaseKeeperIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static Vertx vertx;
    private static CoordinatorFixture coordinator;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(3), Map.of("team", "file:///team.git", "docs", "file:///docs.git"));
    }

    @AfterAll
    static void stop() {
        coordinator.close();
        CoordinatorFixture.await(vertx.close());
    }

    /** The pre-push check run at the push, or started ahead of it and awaited at the push: the same verdicts. */
    enum CheckTiming {
        AT_THE_PUSH,
        STARTED_AHEAD;

        PrePushCheck start(LeaseKeeper keeper) {
            return this == AT_THE_PUSH ? keeper::checkBeforePush : keeper.startCheckBeforePush();
        }
    }

    @ParameterizedTest
    @EnumSource(CheckTiming.class)
    void shouldRefuseThePushOfALeaseThatIsOnlyWaiting(CheckTiming timing) {
        Lease held = coordinator.client().requestLease(KbId.of("team"), LeaseRequest.of("first"));
        Lease waiting = coordinator.client().requestLease(KbId.of("team"), LeaseRequest.of("second"));
        assertThat(waiting.state()).isEqualTo(LeaseState.WAITING);
        try (LeaseKeeper granted = keeper(held);
                LeaseKeeper notYet = keeper(waiting)) {
            PrePushCheck grantedCheck = timing.start(granted);
            PrePushCheck waitingCheck = timing.start(notYet);

            grantedCheck.await();
            assertThatThrownBy(waitingCheck::await)
                    .isInstanceOf(UnitAbortedException.class)
                    .extracting(e -> ((UnitAbortedException) e).code())
                    .isEqualTo(UnitAbortedException.LEASE_LOST);
            assertThat(notYet.stop().stopped()).isPresent();
            assertThat(granted.stop().stopped()).isEmpty();
        } finally {
            coordinator.client().release(waiting.id());
            coordinator.client().release(held.id());
        }
    }

    @Test
    void shouldRefuseThePushWhenTheLeaseIsLostAfterTheCheckStarted() {
        Lease held = coordinator.client().requestLease(KbId.of("docs"), LeaseRequest.of("holder"));
        try (LeaseKeeper keeper = keeper(held)) {
            PrePushCheck check = keeper.startCheckBeforePush();
            coordinator.client().release(held.id()); // lost while the last commit is written

            await().atMost(Duration.ofSeconds(3))
                    .until(() -> keeper.stop().stopped().isPresent());
            assertThatThrownBy(check::await).isInstanceOf(UnitAbortedException.class);
        }
    }

    @Test
    void shouldStopTheUnitAsSoonAsItsLeaseIsLost() {
        Lease held = coordinator.client().requestLease(KbId.of("docs"), LeaseRequest.of("holder"));
        try (LeaseKeeper keeper = keeper(held)) {
            coordinator.client().release(held.id()); // as an admin's force-release or a sweep would

            await().atMost(Duration.ofSeconds(3))
                    .until(() -> keeper.stop().stopped().isPresent());
            StopSignal.Stop stop = keeper.stop().stopped().orElseThrow();
            assertThat(stop.code()).isEqualTo(UnitAbortedException.LEASE_LOST);
            assertThatThrownBy(keeper::checkBeforePush).isInstanceOf(UnitAbortedException.class);
        }
    }

    /**
     * A unit that begins to wait for its remote says so at once, not at the next periodic heartbeat (a third of the
     * TTL away: 10 s here), and says again what it did before once the remote answers.
     */
    @Test
    void shouldSayAtOnceThatTheUnitWaitsForItsRemoteAndGoBackToItsStepOnceItAnswers() {
        Lease held = coordinator
                .client()
                .requestLease(KbId.of("team"), LeaseRequest.of("holder").withTtl(Duration.ofSeconds(30)));
        String waiting = "waiting for https://git.example.com/team.git to answer: unreachable since"
                + " 2026-12-06T05:12:34Z, 1 try, next in 1 s";
        try (LeaseKeeper keeper = keeper(held)) {
            keeper.doing("syncing with https://git.example.com/team.git");
            keeper.checkBeforePush();
            long start = System.nanoTime();

            keeper.waitingForRemote(waiting);

            await().atMost(Duration.ofSeconds(3)).until(() -> waiting.equals(doing("team")));
            System.out.printf(
                    "the wait was on the grant after %d ms (periodic heartbeats: every 10 s)%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
            keeper.remoteAnswered();
            keeper.checkBeforePush(); // a heartbeat now
            assertThat(doing("team")).isEqualTo("syncing with https://git.example.com/team.git");
        } finally {
            coordinator.client().release(held.id());
        }
    }

    /** What the grant of {@code kb} keeps of its holder's last heartbeat. */
    private static String doing(String kb) {
        return (String)
                RespClient.once(redis.port(), Duration.ofSeconds(2), "HGET", "kbsync:{kb:" + kb + "}:lease", "doing");
    }

    private static LeaseKeeper keeper(Lease lease) {
        return new LeaseKeeper(vertx, coordinator.client(), new ModeTracker(FallbackMode.LOCAL), lease);
    }
}
