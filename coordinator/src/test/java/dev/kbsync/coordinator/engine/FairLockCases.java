package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.LeaseService;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * The KB's Redisson {@code RFairLock} mirrors kbsync's grant and stays a real fair lock for Redisson clients: a grant
 * holds it (taken in the grant's own script, with the grant's TTL, renewed by its heartbeats on any coordinator), its
 * release frees it and wakes Redisson waiters queued behind it (with the publish command Redisson listens to: SPUBLISH
 * on a Cluster), and a lock held outside kbsync makes kbsync's next grant wait for it (the driver's {@code lockAsync}
 * slow path), first come first served across both. Run on one Redis ({@link FairLockIT}) and on a Cluster
 * ({@link FairLockClusterIT}).
 */
abstract class FairLockCases {
    static final String[] KBS = {"fl-held", "fl-outside", "fl-wake", "fl-stopped", "fl-dead"};

    /** Coordinator 0 runs and has every KB of {@link #KBS} registered. */
    abstract Coordinators coordinators();

    /** A Redisson client of an application that shares the KB locks. */
    abstract RedissonClient outsider();

    @Test
    void shouldHoldTheRedissonFairLockExactlyWhileGranted() throws Exception {
        KbId kb = KbId.of("fl-held");
        RLock lock = outsider().getFairLock(new KbKeys(kb).lock());
        assertThat(lock.isLocked()).isFalse();

        Lease lease = await(leases().request(kb, "holder", Duration.ofSeconds(10)));

        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(lock.isLocked()).isTrue();
        assertThat(lock.remainTimeToLive()).isBetween(1L, 10_000L);
        assertThat(lock.tryLock(0, 5, TimeUnit.SECONDS)).isFalse();
        assertThat(await(leases().release(lease.id())).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void shouldWaitForALockHeldOutsideKbsyncThenGrantInOrder() throws Exception {
        KbId kb = KbId.of("fl-outside");
        RLock lock = outsider().getFairLock(new KbKeys(kb).lock());
        lock.lock(30, TimeUnit.SECONDS);

        Lease first = await(leases().request(kb, "first", Duration.ofSeconds(10)));
        Lease second = await(leases().request(kb, "second", Duration.ofSeconds(10)));
        assertThat(first.state()).isEqualTo(LeaseState.WAITING);
        assertThat(second.state()).isEqualTo(LeaseState.WAITING);
        assertThat(second.ahead()).isEqualTo(1);
        Future<Lease> firstGranted = LeaseClient.granted(coordinators().node(0), first);
        Future<Lease> secondGranted = LeaseClient.granted(coordinators().node(0), second);
        Thread.sleep(500);
        assertThat(firstGranted.isComplete()).isFalse();

        lock.unlock();

        Lease granted = await(firstGranted);
        assertThat(lock.isLocked()).isTrue();
        assertThat(secondGranted.isComplete()).isFalse();
        await(leases().release(granted.id()));
        Lease next = await(secondGranted);
        assertThat(next.fencingToken()).isGreaterThan(granted.fencingToken());
        await(leases().release(next.id()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !lock.isLocked());
    }

    @Test
    void shouldWakeARedissonWaiterQueuedBehindAGrant() throws Exception {
        KbId kb = KbId.of("fl-wake");
        RLock lock = outsider().getFairLock(new KbKeys(kb).lock());
        Lease lease = await(leases().request(kb, "holder", Duration.ofSeconds(10)));
        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
        CompletableFuture<Void> outside =
                lock.lockAsync(10, TimeUnit.SECONDS, 42).toCompletableFuture();
        Thread.sleep(300);
        assertThat(outside).isNotDone();
        Lease queuedBehind = await(leases().request(kb, "after-outsider", Duration.ofSeconds(10)));
        Future<Lease> laterGrant = LeaseClient.granted(coordinators().node(0), queuedBehind);

        long released = System.nanoTime();
        await(leases().release(lease.id()));

        outside.get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(2));
        assertThat(laterGrant.isComplete()).isFalse();
        lock.unlockAsync(42).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Lease granted = await(laterGrant);
        assertThat(granted.fencingToken()).isGreaterThan(lease.fencingToken());
        await(leases().release(granted.id()));
    }

    @Test
    void shouldKeepTheLockWhileItsGrantLivesAfterTheCoordinatorThatTookItStopped() throws Exception {
        KbId kb = KbId.of("fl-stopped");
        RLock lock = outsider().getFairLock(new KbKeys(kb).lock());
        lock.lock(30, TimeUnit.SECONDS);
        Coordinators.Node slowPath = coordinators().start(Coordinators.config("f2"), MetricsSink.NONE);
        Lease waiting = await(slowPath.engine().services().leases().request(kb, "holder", Duration.ofSeconds(10)));
        Future<Lease> grant = LeaseClient.granted(slowPath, waiting);
        lock.unlock(); // the stopping coordinator's driver takes the lock for the grant (slow path)
        Lease granted = await(grant);

        await(slowPath.engine().stop());
        slowPath.client().shutdown();
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos(); // > 2 x the 1.5 s lock watchdog
        while (System.nanoTime() < until) {
            assertThat(await(leases().heartbeat(granted.id())).state()).isEqualTo(LeaseState.GRANTED);
            Thread.sleep(300);
        }

        assertThat(lock.isLocked()).as("the RFairLock while its grant lives").isTrue();
        assertThat(lock.tryLock(0, 5, TimeUnit.SECONDS)).isFalse();
        await(leases().release(granted.id()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !lock.isLocked());
    }

    LeaseService leases() {
        return coordinators().node(0).engine().services().leases();
    }
}
