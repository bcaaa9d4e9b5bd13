package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * {@link FairLockCases} on one Redis, and a Redisson client that dies while it waits in the lock's queue (its
 * connection cut by a proxy): the KB stalls at most a few seconds for it, not the lock's old TTL (the maximum hold).
 */
class FairLockIT extends FairLockCases {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static RedissonClient outsider;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        coordinators.start(Coordinators.config("f1"));
        coordinators.register(coordinators.node(0).engine(), KBS);
        outsider = coordinators.client(Coordinators.config("outsider"));
    }

    @AfterAll
    static void stop() {
        outsider.shutdown();
        coordinators.close();
    }

    @Override
    Coordinators coordinators() {
        return coordinators;
    }

    @Override
    RedissonClient outsider() {
        return outsider;
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
            org.slf4j.LoggerFactory.getLogger(getClass())
                    .info("KB stalled {} ms by a Redisson waiter killed in the lock queue", stall.toMillis());
            assertThat(stall).as("KB stalled by a dead Redisson waiter").isLessThan(Duration.ofSeconds(5));
            await(leases().release(granted.id()));
            doomed.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    private static RedissonClient clientVia(String uri) {
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(uri);
        return Redisson.create(redisson);
    }
}
