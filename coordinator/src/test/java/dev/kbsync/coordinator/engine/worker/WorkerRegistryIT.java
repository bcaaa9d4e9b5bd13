package dev.kbsync.coordinator.engine.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.service.WorkerRegistry;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * Presence records on a real Redis: renewed, shown as gone after one TTL, forgotten later, bounded in number; a renewal
 * that makes a worker run agents told.
 */
class WorkerRegistryIT {
    private static final Duration TTL = Duration.ofMillis(200);
    private static final Duration LONG_TTL = Duration.ofMinutes(1);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Vertx vertx = Vertx.vertx();
    private RedissonClient client;
    private RedisWorkerRegistry registry;
    private final AtomicInteger agentsJoined = new AtomicInteger();

    @BeforeEach
    void start() {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.uri());
        client = Redisson.create(config);
        client.getKeys().flushall();
        registry = new RedisWorkerRegistry(
                new Redis(client, vertx.getOrCreateContext(), Redis.Replication.none()),
                TTL,
                agentsJoined::incrementAndGet);
    }

    /** A registry whose TTL is far longer than any test takes: for tests that are not about expiry. */
    private WorkerRegistry longLived() {
        return new RedisWorkerRegistry(
                new Redis(client, vertx.getOrCreateContext(), Redis.Replication.none()),
                LONG_TTL,
                agentsJoined::incrementAndGet);
    }

    @AfterEach
    void stop() {
        client.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void shouldListARenewedWorkerAsUpWithEverythingItReported() {
        WorkerRegistry registry = longLived(); // listed as UP however slow the machine is between the two calls
        WorkerPresence presence = presence("srv-1", 2, 1);
        Worker renewed = join(registry.renew("w-1", presence));

        assertThat(renewed.state()).isEqualTo(Worker.State.UP);
        assertThat(Duration.between(renewed.lastSeen(), renewed.expiresAt())).isEqualTo(LONG_TTL);
        Worker listed = join(registry.list()).get(0);
        assertThat(listed.id()).isEqualTo("w-1");
        assertThat(listed.state()).isEqualTo(Worker.State.UP);
        assertThat(listed.lastSeen()).isEqualTo(renewed.lastSeen());
        assertThat(listed.presence()).isEqualTo(presence);
    }

    @Test
    void shouldTellEachRenewalThatMakesAWorkerRunAgents() {
        WorkerRegistry registry = longLived();
        WorkerPresence notes = presence("srv", 1, 1, EnumSet.of(JobKind.NOTE));
        join(registry.renew("w", notes));
        assertThat(agentsJoined).as("notes only").hasValue(0);
        join(registry.renew("w", presence("srv", 1, 1)));
        assertThat(agentsJoined).as("it ran notes only before").hasValue(1);
        join(registry.renew("w", presence("srv", 1, 1)));
        assertThat(agentsJoined).as("it ran agents before").hasValue(1);
        join(registry.renew("other", presence("srv", 1, 1)));
        assertThat(agentsJoined).as("a worker not known before").hasValue(2);
        join(registry.renew("w", notes));
        join(registry.renew("w", presence("srv", 1, 1)));
        assertThat(agentsJoined).as("it ran notes only again").hasValue(3);
    }

    @Test
    void shouldShowASilentWorkerAsGoneWithinOneTtlThenForgetIt() {
        join(registry.renew("silent", presence("srv-1", 1, 1)));
        long renewedAt = System.nanoTime(); // Redis stamped the renew no later than this
        // a list asked for just after one TTL shows it gone (however long the list itself then takes on a loaded
        // machine)
        sleep(Math.max(0, TTL.toMillis() + 20 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - renewedAt)));
        assertThat(join(registry.list()))
                .as("gone once one TTL has passed")
                .singleElement()
                .extracting(Worker::state)
                .isEqualTo(Worker.State.GONE);

        // Forgotten after FORGET_AFTER_TTLS TTLs: its record and, with nobody else renewing, both keys.
        long forgetMs = TTL.toMillis() * WorkerRegistry.FORGET_AFTER_TTLS;
        await().atMost(Duration.ofMillis(forgetMs + 2000))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> client.getKeys().countExists(RedisWorkerRegistry.SEEN, RedisWorkerRegistry.RECORDS) == 0);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - renewedAt)).isGreaterThanOrEqualTo(forgetMs - 50);
        assertThat(join(registry.list())).isEmpty();
    }

    @Test
    void shouldForgetSilentWorkersWhileOthersKeepRenewing() {
        join(registry.renew("stops", presence("srv-1", 1, 1)));
        long forgetMs = TTL.toMillis() * WorkerRegistry.FORGET_AFTER_TTLS;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forgetMs + 300);
        while (System.nanoTime() < until) {
            join(registry.renew("keeps", presence("srv-2", 1, 1)));
            sleep(TTL.toMillis() / 3);
        }

        assertThat(join(registry.list())).extracting(Worker::id).containsExactly("keeps");
        assertThat(client.getMap(RedisWorkerRegistry.RECORDS, StringCodec.INSTANCE)
                        .keySet())
                .containsExactly("keeps");
    }

    @Test
    void shouldKeepAtMostMaxWorkersEvictingTheOneSeenLongestAgo() {
        // only the count bound may remove a record here, never the forget window (with the class's 200 ms TTL a slow
        // machine forgot the first renewals before the last ones ran)
        WorkerRegistry registry = longLived();
        List<Future<Worker>> renewals = new ArrayList<>();
        join(registry.renew("w-0000", presence("srv", 1, 1)));
        sleep(5);
        for (int i = 1; i <= WorkerRegistry.MAX_WORKERS; i++) {
            renewals.add(registry.renew(String.format("w-%04d", i), presence("srv", 1, 1)));
        }
        join(Future.all(renewals));

        List<Worker> workers = join(registry.list());
        assertThat(workers).hasSize(WorkerRegistry.MAX_WORKERS);
        assertThat(workers).extracting(Worker::id).doesNotContain("w-0000").contains("w-1024");
        assertThat(client.getMap(RedisWorkerRegistry.RECORDS, StringCodec.INSTANCE)
                        .size())
                .isEqualTo(WorkerRegistry.MAX_WORKERS);
    }

    @Test
    void shouldListUpWorkersBeforeGoneOnesEachById() {
        join(registry.renew("b-gone", presence("srv", 1, 1)));
        join(registry.renew("a-gone", presence("srv", 1, 1)));
        sleep(TTL.toMillis() + 100);
        join(registry.renew("z-up", presence("srv", 1, 1)));
        join(registry.renew("c-up", presence("srv", 1, 1)));

        assertThat(join(registry.list())).extracting(Worker::id).containsExactly("c-up", "z-up", "a-gone", "b-gone");
    }

    static WorkerPresence presence(String host, int slots, int idle) {
        return presence(host, slots, idle, WorkerPresence.EVERY_KIND);
    }

    private static WorkerPresence presence(String host, int slots, int idle, Set<JobKind> kinds) {
        Instant now = Instant.parse("2026-11-29T07:00:00Z");
        List<WorkerPresence.RunningJob> running = new ArrayList<>();
        for (int slot = 1; slot <= slots - idle; slot++) {
            running.add(new WorkerPresence.RunningJob(slot, KbId.of("team"), "job-" + slot, now));
        }
        return new WorkerPresence(
                host,
                "0.1.0",
                slots,
                idle,
                false,
                running,
                List.of(new WorkerPresence.Checkout(KbId.of("team"), "9d1e0c0", now)),
                now,
                kinds);
    }

    private static <T> T join(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
