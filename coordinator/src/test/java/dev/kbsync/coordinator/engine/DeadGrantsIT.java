package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A raw waiter that died in the queue costs the KB at most its keep-alive TTL when it reaches the head, and lease ids
 * and fencing tokens never repeat, even when a failover lost the last increment of the KB's counter (tokens never go
 * below the Redis clock in ms).
 */
class DeadGrantsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static LeaseService leases;
    static JobService jobs;
    static Coordinators.Node node;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        node = coordinators.start(Coordinators.config("d1"), MetricsSink.NONE);
        coordinators.register(node.engine(), "dead-waiter", "lost-incr");
        leases = node.engine().services().leases();
        jobs = node.engine().services().jobs();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldSkipADeadRawWaiterWithinFiveSecondsWhenItReachesTheHead() {
        KbId kb = KbId.of("dead-waiter");
        Lease holder = await(leases.request(kb, "holder", Duration.ofSeconds(20)));
        Lease dead = await(leases.request(kb, "dies-waiting", Duration.ofSeconds(20)));
        Lease live = await(leases.request(kb, "lives", Duration.ofSeconds(20)));
        Future<Lease> liveGranted = LeaseClient.granted(node, live);
        await(leases.heartbeat(dead.id())); // its last sign of life

        long released = System.nanoTime();
        await(leases.release(holder.id()));
        Lease granted = Coordinators.await(liveGranted);

        Duration stall = Duration.ofNanos(System.nanoTime() - released);
        assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
        org.slf4j.LoggerFactory.getLogger(getClass())
                .info("queue stalled {} ms by a raw waiter that died in it (waiter TTL 3 s)", stall.toMillis());
        assertThat(stall).as("queue stalled by a dead waiter").isLessThan(Duration.ofSeconds(5));
        await(leases.release(granted.id()));
    }

    @Test
    void shouldNeverRepeatATokenOrLeaseIdWhenAFenceIncrementIsLost() {
        KbId kb = KbId.of("lost-incr");
        await(jobs.submit(kb, "ann", note("twice granted"), Optional.empty()));
        Assignment first = await(jobs.poll("w", Duration.ofSeconds(5))).orElseThrow();
        node.client().getAtomicLong("kbsync:{kb:lost-incr}:fence").decrementAndGet(); // a failover lost the INCR

        await(leases.release(first.lease().id())); // back to queued, granted again
        Assignment second = await(jobs.poll("w", Duration.ofSeconds(5))).orElseThrow();

        assertThat(second.lease().fencingToken()).isGreaterThan(first.lease().fencingToken());
        assertThat(second.lease().id()).isNotEqualTo(first.lease().id());
        assertThatThrownBy(() -> await(leases.heartbeat(first.lease().id())))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("LEASE_LOST"));
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
