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
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The KB's Redisson {@code RFairLock} mirrors kbsync's grant and stays a real fair lock for Redisson clients: a grant
 * holds it (taken in the grant's own script), its release frees it and wakes Redisson waiters queued behind it, and
 * a lock held outside kbsync makes kbsync's next grant wait for it (the driver's {@code lockAsync} slow path), first
 * come first served across both.
 */
class FairLockIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static RedissonClient outsider;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        coordinators.start(Coordinators.config("f1"));
        coordinators.register(
                coordinators.node(0).engine(), "fl-held", "fl-outside", "fl-wake", "fl-dead", "fl-stopped");
        outsider = coordinators.client(Coordinators.config("outsider"));
    }

    @AfterAll
    static void stop() {
        outsider.shutdown();
        coordinators.close();
    }

    @Test
    void shouldHoldTheRedissonFairLockExactlyWhileGranted() throws Exception {
        KbId kb = KbId.of("fl-held");
        RLock lock = outsider.getFairLock(new KbKeys(kb).lock());
        assertThat(lock.isLocked()).isFalse();

        Lease lease = await(leases().request(kb, "holder", Duration.ofSeconds(10)));

        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(lock.isLocked()).isTrue();
        assertThat(lock.tryLock(0, 5, TimeUnit.SECONDS)).isFalse();
        assertThat(await(leases().release(lease.id())).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void shouldWaitForALockHeldOutsideKbsyncThenGrantInOrder() throws Exception {
        KbId kb = KbId.of("fl-outside");
        RLock lock = outsider.getFairLock(new KbKeys(kb).lock());
        lock.lock(30, TimeUnit.SECONDS);

        Lease first = await(leases().request(kb, "first", Duration.ofSeconds(10)));
        Lease second = await(leases().request(kb, "second", Duration.ofSeconds(10)));
        assertThat(first.state()).isEqualTo(LeaseState.WAITING);
        assertThat(second.state()).isEqualTo(LeaseState.WAITING);
        assertThat(second.ahead()).isEqualTo(1);
        Future<Lease> firstGranted = LeaseClient.granted(coordinators.node(0), first);
        Future<Lease> secondGranted = LeaseClient.granted(coordinators.node(0), second);
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
        RLock lock = outsider.getFairLock(new KbKeys(kb).lock());
        Lease lease = await(leases().request(kb, "holder", Duration.ofSeconds(10)));
        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
        CompletableFuture<Void> outside =
                lock.lockAsync(10, TimeUnit.SECONDS, 42).toCompletableFuture();
        Thread.sleep(300);
        assertThat(outside).isNotDone();
        Lease queuedBehind = await(leases().request(kb, "after-outsider", Duration.ofSeconds(10)));
        Future<Lease> laterGrant = LeaseClient.granted(coordinators.node(0), queuedBehind);

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
    void shouldStallTheKbAtMostFiveSecondsForAKilledRedissonWaiter() throws Exception {
        KbId kb = KbId.of("fl-dead");
        Lease held = await(leases().request(kb, "holder", Duration.ofSeconds(10)));
        try (FaultProxy proxy = FaultProxy.to(redis.port())) {
            RedissonClient doomed = clientVia(proxy.uri());
            doomed.getFairLock(new KbKeys(kb).lock()).lockAsync(10, TimeUnit.SECONDS, 7);
            Thread.sleep(500); // queued in Redisson's waiter list behind the grant
            proxy.freeze(); // the outside client dies without leaving the queue
            Lease next = await(leases().request(kb, "next", Duration.ofSeconds(10)));
            Future<Lease> nextGranted = LeaseClient.granted(coordinators.node(0), next);

            long released = System.nanoTime();
            await(leases().release(held.id()));
            Lease granted = await(nextGranted);

            Duration stall = Duration.ofNanos(System.nanoTime() - released);
            assertThat(stall).as("KB stalled by a dead Redisson waiter").isLessThan(Duration.ofSeconds(5));
            await(leases().release(granted.id()));
            doomed.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepTheLockWhileItsGrantLivesAfterTheCoordinatorThatTookItStopped() throws Exception {
        KbId kb = KbId.of("fl-stopped");
        RLock lock = outsider.getFairLock(new KbKeys(kb).lock());
        lock.lock(30, TimeUnit.SECONDS);
        Coordinators.Node slowPath = coordinators.start(Coordinators.config("f2"), MetricsSink.NONE);
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

    private static RedissonClient clientVia(String uri) {
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(uri);
        return Redisson.create(redisson);
    }

    private static LeaseService leases() {
        return coordinators.node(0).engine().services().leases();
    }
}
