package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * Latency of the engine next to raw Redisson in the same run; not a test. Run with
 * {@code mvn verify -pl coordinator -am -Dit.test=EngineBenchIT -Dkbsync.bench=true}.
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "kbsync.bench", matches = "true")
class EngineBenchIT {
    private static final int WARMUP = 100;
    private static final int RUNS = 500;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static Coordinators.Node node;
    static LeaseService leases;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        node = coordinators.start(
                new EngineConfig(
                        "bench",
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(300),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        Duration.ofMillis(250)),
                dev.kbsync.coordinator.metrics.MetricsSink.NONE);
        coordinators.register(node.engine(), "bench-a", "bench-b");
        leases = node.engine().services().leases();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void measure() throws Exception {
        report("engine uncontended request+release", sample(this::engineUncontended));
        report("engine handoff release->next grant", sample(this::engineHandoff));
        RedissonClient client = node.client();
        RLock raw = client.getFairLock("bench:raw");
        report("raw RFairLock lock+unlock", sample(() -> {
            long t0 = System.nanoTime();
            raw.lock();
            raw.unlock();
            return System.nanoTime() - t0;
        }));
        report("raw RFairLock handoff unlock->next lock", sample(() -> rawHandoff(raw)));
    }

    private long engineUncontended() {
        long t0 = System.nanoTime();
        Lease lease = await(leases.request(KbId.of("bench-a"), "bench", null));
        if (lease.state() != LeaseState.GRANTED) {
            throw new IllegalStateException("not granted at once: " + lease);
        }
        await(leases.release(lease.id()));
        return System.nanoTime() - t0;
    }

    private long engineHandoff() {
        KbId kb = KbId.of("bench-b");
        Lease first = await(leases.request(kb, "first", null));
        Lease second = await(leases.request(kb, "second", null));
        Promise<Long> granted = Promise.promise();
        node.engine().services().queues().watchers().lease(second.id());
        MessageConsumer<LeaseEvent> consumer = node.vertx()
                .eventBus()
                .consumer(QueueAddresses.lease(second.id()), m -> {
                    if (m.body().lease().state() == LeaseState.GRANTED) {
                        granted.tryComplete(System.nanoTime());
                    }
                });
        await(consumer.completion());
        long t0 = System.nanoTime();
        await(leases.release(first.id()));
        long t1 = await(granted.future());
        await(consumer.unregister());
        await(leases.release(second.id()));
        return t1 - t0;
    }

    private static long rawHandoff(RLock raw) {
        try {
            raw.lockAsync(-1, TimeUnit.MILLISECONDS, 1).get();
            CompletableFuture<Long> next = raw.lockAsync(-1, TimeUnit.MILLISECONDS, 2)
                    .toCompletableFuture()
                    .thenApply(v -> System.nanoTime());
            Thread.sleep(2);
            long t0 = System.nanoTime();
            raw.unlockAsync(1).get();
            long t1 = next.get();
            raw.unlockAsync(2).get();
            return t1 - t0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Run {
        long nanos() throws Exception;
    }

    private static long[] sample(Run run) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            run.nanos();
        }
        long[] out = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            out[i] = run.nanos();
        }
        Arrays.sort(out);
        return out;
    }

    private static void report(String what, long[] sorted) {
        System.out.printf(
                Locale.ROOT,
                "BENCH %-42s p50 %7.3f ms  p99 %7.3f ms  (n=%d)%n",
                what,
                sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted.length);
    }
}
