package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal restore whose step never answers (seen under heavy load: a pass waited for one step for minutes and
 * restored nothing more, its KB's new notes journaling behind it) gives that step up after its bound and goes on in
 * the next pass: every journal job is restored into Redis exactly once. A job whose "restored" mark was written only
 * after its pass gave that step up leaves the journal's count all the same; a restore without the job's idempotency
 * key is bounded as every other step.
 */
class JournalRestoreStallIT {
    private static final KbId KB = KbId.of("stall");

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path dir;

    private final Coordinators coordinators = new Coordinators(redis);
    private final Vertx vertx = Vertx.vertx();
    private DegradedMode mode;

    @AfterEach
    void close() {
        if (mode != null) {
            mode.close();
        }
        coordinators.close();
        await(vertx.close());
    }

    @Test
    void shouldGiveUpARestoreStepThatNeverAnswersAndRestoreTheJournalOnce() {
        Engine engine = coordinators.start(Coordinators.config("c1"));
        coordinators.register(engine, KB.value());
        JobService real = engine.services().jobs();
        AtomicInteger restores = new AtomicInteger();
        JobService firstHangs = (JobService) Proxy.newProxyInstance(
                JobService.class.getClassLoader(), new Class<?>[] {JobService.class}, (proxy, method, args) -> {
                    if (method.getName().equals("restore") && restores.incrementAndGet() == 2) {
                        return Promise.promise().future(); // the second restore step never answers
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RedisHealth health = new RedisHealth(vertx, Future::succeededFuture, true);
        mode = await(DegradedMode.open(
                vertx,
                dir,
                1000,
                Duration.ofMinutes(5),
                health,
                firstHangs,
                List.of(new KbConfig(KB, "file:///tmp/stall", "main")),
                Duration.ofSeconds(2)));
        List<Job> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            accepted.add(await(mode.accept(
                    KB, "u", new JobPayload.Note("note " + i, null, null), Optional.empty(), "client-a", List.of())));
        }

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> mode.pending() == 0);

        assertThat(restores.get()).as("the hung step was tried again").isGreaterThanOrEqualTo(6);
        for (Job job : accepted) {
            assertThat(await(real.get(job.id())).state()).isEqualTo(JobState.QUEUED);
        }
        var queue = await(engine.services().queues().snapshot(KB));
        assertThat(queue.holder().stream().count()
                        + queue.running().size()
                        + queue.waiters().size())
                .as("each journal job in the queue once: %s", queue)
                .isEqualTo(accepted.size());
    }

    @Test
    void shouldLetGoOfAJobWhoseRestoredMarkIsWrittenAfterItsStepGaveUp() {
        Engine engine = coordinators.start(Coordinators.config("c1"));
        coordinators.register(engine, KB.value());
        JobService real = engine.services().jobs();
        // the journal's one thread (DegradedMode.open names it so), shared: a task here holds the journal's writes
        WorkerExecutor journalThread = vertx.createSharedWorkerExecutor("kbsync-journal-" + dir.toAbsolutePath(), 1);
        try {
            AtomicInteger restores = new AtomicInteger();
            JobService markLate = proxy(real, (method, args) -> {
                if (method.equals("restore") && restores.incrementAndGet() == 1) {
                    // the restore answers; its "restored" mark waits 2.5 s behind this, past the 1 s bound
                    journalThread.executeBlocking(
                            () -> {
                                Thread.sleep(2_500);
                                return null;
                            },
                            false);
                }
                return null;
            });
            mode = open(markLate, Duration.ofSeconds(1));
            Job job = await(mode.accept(
                    KB, "u", new JobPayload.Note("marked late", null, null), Optional.empty(), "client-a", List.of()));

            Awaitility.await()
                    .atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> mode.pending() == 0);

            assertThat(mode.job(job.id()))
                    .as("answered by Redis, not as a journal job")
                    .isEmpty();
            assertThat(mode.accepting(KB)).isFalse();
            assertThat(await(real.get(job.id())).state()).isEqualTo(JobState.QUEUED);
        } finally {
            journalThread.close();
        }
    }

    @Test
    void shouldBoundTheRestoreWithoutTheJobsIdempotencyKey() {
        Engine engine = coordinators.start(Coordinators.config("c1"));
        coordinators.register(engine, KB.value());
        JobService real = engine.services().jobs();
        AtomicInteger unkeyed = new AtomicInteger();
        JobService keyTaken = proxy(real, (method, args) -> {
            if (!method.equals("restore")) {
                return null;
            }
            if (((Optional<?>) args[1]).isPresent()) { // Redis holds the key for another request
                return Future.failedFuture(
                        new ConflictException(ErrorCodes.IDEMPOTENCY_MISMATCH, "the key names another job"));
            }
            return unkeyed.incrementAndGet() == 1 ? Promise.promise().future() : null; // the first never answers
        });
        mode = open(keyTaken, Duration.ofSeconds(1));
        Job job = await(mode.accept(
                KB, "u", new JobPayload.Note("key taken", null, null), Optional.of("k-1"), "client-a", List.of()));

        Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> mode.pending() == 0);

        assertThat(unkeyed.get()).as("the hung restore was tried again").isGreaterThanOrEqualTo(2);
        assertThat(await(real.get(job.id())).state()).isEqualTo(JobState.QUEUED);
    }

    /** What a proxy does with a call: an answer of its own, or null to pass it to the real service. */
    private interface Intercept {
        Object answer(String method, Object[] args) throws Exception;
    }

    private static JobService proxy(JobService real, Intercept intercept) {
        return (JobService) Proxy.newProxyInstance(
                JobService.class.getClassLoader(), new Class<?>[] {JobService.class}, (proxy, method, args) -> {
                    Object own = intercept.answer(method.getName(), args);
                    if (own != null) {
                        return own;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private DegradedMode open(JobService jobs, Duration restoreStep) {
        RedisHealth health = new RedisHealth(vertx, Future::succeededFuture, true);
        return await(DegradedMode.open(
                vertx,
                dir,
                1000,
                Duration.ofMinutes(5),
                health,
                jobs,
                List.of(new KbConfig(KB, "file:///tmp/stall", "main")),
                restoreStep));
    }
}
