package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group commit's {@code extend} under a local lease hands out no more journal jobs once Redis answers again, as a
 * poll does: a new local token then would be above the fence being raised (and keep the workers off Redis).
 */
class DegradedExtendTest {
    private static final KbId KB = KbId.of("ext");

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final AtomicBoolean redisAnswers = new AtomicBoolean(false);
    private DegradedMode mode;

    @AfterEach
    void close() {
        if (mode != null) {
            mode.stop().toCompletionStage().toCompletableFuture().join();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void shouldHandOutNoGroupCommitMemberOnceRedisAnswers() throws Exception {
        RedisHealth health = new RedisHealth(
                vertx,
                () -> redisAnswers.get() ? Future.succeededFuture() : Future.failedFuture("Redis does not answer"),
                false);
        mode = open(health);
        for (int i = 0; i < 2; i++) {
            join(mode.accept(
                    KB,
                    "u",
                    new JobPayload.Note("during the outage " + i, null, null),
                    Optional.empty(),
                    "",
                    List.of()));
        }
        Assignment head = join(mode.poll("w1", Duration.ofSeconds(1), Set.of(JobKind.NOTE)))
                .orElseThrow();

        redisAnswers.set(true);
        health.check();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(health::up);

        assertThat(mode.localLease(head.lease().id()))
                .as("the head's job is not in Redis yet: its lease is still answered here")
                .isPresent();
        assertThat(join(mode.extend(head.lease().id(), 16)))
                .as("no new local member once Redis answers")
                .isEmpty();
    }

    /** A degraded mode whose Redis steps (fence raise, restore) never answer: the journal's jobs stay here. */
    private DegradedMode open(RedisHealth health) {
        JobService jobs = (JobService) Proxy.newProxyInstance(
                JobService.class.getClassLoader(),
                new Class<?>[] {JobService.class},
                (proxy, method, args) -> Promise.promise().future());
        return join(DegradedMode.open(
                vertx,
                dir,
                100,
                Duration.ofMinutes(5),
                health,
                jobs,
                List.of(new KbConfig(KB, "file:///tmp/ext", "main"))));
    }

    private static <T> T join(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }
}
