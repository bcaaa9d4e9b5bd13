package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 6 at the coordinator level: Redis is SIGSTOPped for 3 s, longer than the holder's 1 s lease TTL (but
 * shorter than the 15 s waiter TTL and the waiters' own 10 s lease TTL), while one client holds a KB and three wait. After SIGCONT the coordinator is ready again, the
 * holder's late heartbeat is LEASE_LOST, the waiters are granted in request order with larger fences, no overlap.
 */
@TimingSensitive
class RedisPauseIT {
    private static final Logger LOG = LoggerFactory.getLogger(RedisPauseIT.class);
    private static final Duration LEASE_TTL = Duration.ofSeconds(1);
    private static final Duration WAITER_LEASE_TTL = Duration.ofSeconds(10);
    private static final KbId KB = KbId.of("paused");

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldRecoverAfterAPauseLongerThanTheLeaseTtl() {
        EngineConfig engineConfig = new EngineConfig(
                "p",
                LEASE_TTL,
                Duration.ofSeconds(20),
                Duration.ofSeconds(8),
                Duration.ofMillis(1500),
                Duration.ofMillis(100));
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(redis.uri());
        try (Node node = Node.start(redisson, engineConfig);
                Readiness readiness = new Readiness(redis.uri())) {
            node.register(KB.value());
            List<Section> sections = Collections.synchronizedList(new ArrayList<>());
            Lease held = Node.get(node.leases().request(KB, "holder", LEASE_TTL), Duration.ofSeconds(5));
            assertThat(held.state()).isEqualTo(LeaseState.GRANTED);
            long grantedAt = System.nanoTime();
            AtomicReference<Throwable> lateHeartbeat = new AtomicReference<>();
            AtomicLong lastRenewSent = new AtomicLong(grantedAt);
            Thread holder = Holder.thread("holder", () -> keepHolding(node, held, lastRenewSent, lateHeartbeat));
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Lease waiting = Node.get(node.leases().request(KB, "w" + i, WAITER_LEASE_TTL), Duration.ofSeconds(5));
                assertThat(waiting.state()).isEqualTo(LeaseState.WAITING);
                waiters.add(Holder.thread("w" + i, () -> waitAndHold(node, waiting, sections)));
            }
            assertThat(readiness.status()).isEqualTo(200);

            redis.process().pause();
            await().atMost(Duration.ofSeconds(10)).until(() -> readiness.status() == 503);
            Holder.pause(Math.max(0, 3000 - ms(System.nanoTime() - lastRenewSent.get())));
            redis.process().resume();
            long resumed = System.nanoTime();

            await().atMost(Duration.ofSeconds(20)).until(() -> readiness.status() == 200);
            long ready = System.nanoTime();
            join(holder);
            waiters.forEach(RedisPauseIT::join);
            sections.add(new Section(
                    KB.value(), "holder", held.fencingToken(), grantedAt, lastRenewSent.get() + LEASE_TTL.toNanos()));
            List<Section> ordered = sections.stream()
                    .sorted(Comparator.comparingLong(Section::enter))
                    .toList();
            LOG.info(
                    "redis paused ~3 s: ready again {} ms after SIGCONT, first waiter granted {} ms after SIGCONT",
                    ms(ready - resumed),
                    ms(ordered.get(1).enter() - resumed));

            assertThat(lateHeartbeat.get())
                    .isInstanceOfSatisfying(
                            ConflictException.class, e -> assertThat(e.code()).isEqualTo("LEASE_LOST"));
            assertThat(ordered).extracting(Section::holder).containsExactly("holder", "w0", "w1", "w2");
            assertThat(ordered).extracting(Section::fence).isSorted().doesNotHaveDuplicates();
            assertThat(Section.overlaps(sections)).isEmpty();
            assertThat(Section.staleFences(sections)).isEmpty();
        }
    }

    @Test
    void shouldRefuseAHeartbeatThatArrivesAfterTheLeaseExpiredBeforeAnySweep() {
        EngineConfig noSweep = new EngineConfig(
                "s",
                LEASE_TTL,
                Duration.ofSeconds(20),
                Duration.ofSeconds(8),
                Duration.ofMillis(1500),
                Duration.ofHours(1));
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(redis.uri());
        try (Node node = Node.start(redisson, noSweep)) {
            node.register("late");
            Lease held = Node.get(
                    node.leases().request(KbId.of("late"), "h", Duration.ofMillis(300)), Duration.ofSeconds(5));
            assertThat(held.state()).isEqualTo(LeaseState.GRANTED);
            Holder.pause(800);

            assertThatThrownBy(() -> Node.get(node.leases().heartbeat(held.id()), Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(
                            ConflictException.class, e -> assertThat(e.code()).isEqualTo("LEASE_LOST"));
        }
    }

    /** Heartbeats every 200 ms until a heartbeat is refused; transport failures (Redis paused) are retried. */
    private static void keepHolding(
            Node node, Lease held, AtomicLong lastRenewSent, AtomicReference<Throwable> refused) {
        while (refused.get() == null) {
            long sent = System.nanoTime();
            try {
                Node.get(node.leases().heartbeat(held.id()), Duration.ofSeconds(10));
                lastRenewSent.set(sent);
            } catch (ConflictException lost) {
                refused.set(lost);
            } catch (RuntimeException unreachable) {
                LOG.info("holder heartbeat failed: {}", unreachable.toString());
            }
            Holder.pause(200);
        }
    }

    /** Keeps a waiter alive until granted, records a 20 ms critical section, releases. */
    private static void waitAndHold(Node node, Lease waiting, List<Section> sections) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                Lease lease = Node.get(node.leases().heartbeat(waiting.id()), Duration.ofSeconds(10));
                if (lease.state() == LeaseState.GRANTED) {
                    long enter = System.nanoTime();
                    Holder.pause(20);
                    sections.add(
                            new Section(KB.value(), lease.holder(), lease.fencingToken(), enter, System.nanoTime()));
                    Node.get(node.leases().release(lease.id()), Duration.ofSeconds(10));
                    return;
                }
            } catch (ConflictException lost) {
                throw new AssertionError("waiter " + waiting.holder() + " was dropped", lost);
            } catch (RuntimeException unreachable) {
                LOG.info("waiter heartbeat failed: {}", unreachable.toString());
            }
            Holder.pause(200);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(40));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(thread.isAlive()).as(thread.getName() + " finished").isFalse();
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
