package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes at the journal's end that cannot be read (a line that does not parse; a torn append, answered 503, with none
 * after it) do not keep the journal from draining: it is truncated once its jobs are in Redis (before, a new pass
 * started at once after the other, for good, and the journal never drained). An unreadable line is logged and kept in
 * {@link Journal#REJECTED}.
 */
class JournalTailTest {
    private static final KbId KB = KbId.of("tail");

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final AtomicBoolean redisAnswers = new AtomicBoolean(true);
    private DegradedMode mode;

    @AfterEach
    void close() {
        if (mode != null) {
            mode.stop().toCompletionStage().toCompletableFuture().join();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void shouldDrainAJournalWhoseLastLineCannotBeRead() throws Exception {
        Files.writeString(dir.resolve(Journal.FILE), restoredEntry() + "{\"job\":\"not a job\"}\n");

        mode = open(true);

        assertDrained();
        assertThat(Files.readString(dir.resolve(Journal.REJECTED)))
                .as("the unreadable line is kept for the operator")
                .contains("not a job");
    }

    @Test
    void shouldDrainAJournalEndingInATornAppend() throws Exception {
        Files.writeString(dir.resolve(Journal.FILE), restoredEntry());
        redisAnswers.set(false);
        mode = open(false);
        // what an append cut short by a full disk leaves behind (answered 503), no append after it
        Files.write(
                dir.resolve(Journal.FILE),
                "{\"job\":{\"id\":\"tail~torn".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);

        redisAnswers.set(true);
        health.check();

        assertDrained();
    }

    /** A job restored into Redis by a coordinator killed before the journal's truncation: nothing left but to truncate. */
    private static String restoredEntry() {
        Job job = job("restored before a restart");
        return new Journal.Entry(job, Optional.empty(), 0).toJson().encode() + "\n"
                + new Journal.Restored(job.id(), 0).toJson().encode() + "\n";
    }

    private RedisHealth health;

    /**
     * The journal truncated and submissions going to Redis again: the drain's last step truncates the file, then (on the
     * journal's thread, before any append) stops accepting, so the three are waited for together.
     */
    private void assertDrained() {
        Awaitility.await("the journal drained")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> mode.pending() == 0 && Files.size(dir.resolve(Journal.FILE)) == 0 && !mode.accepting());
    }

    private DegradedMode open(boolean up) {
        health = new RedisHealth(
                vertx,
                () -> redisAnswers.get() ? Future.succeededFuture() : Future.failedFuture("Redis does not answer"),
                up);
        JobService jobs = (JobService) Proxy.newProxyInstance(
                JobService.class.getClassLoader(), new Class<?>[] {JobService.class}, (proxy, method, args) -> {
                    if (method.getName().equals("restore")) {
                        return Future.succeededFuture(args[0]);
                    }
                    if (method.getName().equals("raiseFence")) {
                        return Future.succeededFuture();
                    }
                    return Future.failedFuture(new UnsupportedOperationException(method.getName()));
                });
        return DegradedMode.open(
                        vertx,
                        dir,
                        100,
                        Duration.ofMinutes(5),
                        health,
                        jobs,
                        List.of(new KbConfig(KB, "file:///tmp/tail", "main")))
                .toCompletionStage()
                .toCompletableFuture()
                .join();
    }

    private static Job job(String text) {
        return Job.queued(JobRef.create(KB).id(), KB, "u", new JobPayload.Note(text, null, null), Instant.now());
    }
}
