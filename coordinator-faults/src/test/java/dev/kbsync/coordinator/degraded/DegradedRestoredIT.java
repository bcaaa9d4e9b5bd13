package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal job already restored into Redis is not handed out again by a coordinator restarted on that journal during
 * an outage (killed after the restore, before the truncation): Redis has it, and a local run under a later token would
 * not find a Redis run's commit.
 */
@TimingSensitive
class DegradedRestoredIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldNotHandOutAJobItsJournalSaysWasRestored(@TempDir Path dir) throws Exception {
        KbId kb = KbId.of("dg");
        Job restored = job(kb, "restored before the crash");
        Job left = job(kb, "still only in the journal");
        Path journal = Files.createDirectories(dir.resolve("journal"));
        Files.writeString(
                journal.resolve(Journal.FILE),
                new Journal.Entry(restored, Optional.empty(), 0).toJson().encode() + "\n"
                        + new Journal.Restored(restored.id(), 0).toJson().encode() + "\n"
                        + new Journal.Entry(left, Optional.empty(), 0).toJson().encode() + "\n");
        Vertx vertx = Vertx.vertx();
        redis.process().pause();
        try {
            Coordinator coordinator = Coordinator.start(vertx, config(journal)).await();
            try {
                Http http = new Http(coordinator.port());
                http.awaitDegraded(Duration.ofSeconds(20));

                Http.Answer first = poll(http);
                assertThat(first.status()).as(first.body().encode()).isEqualTo(200);
                assertThat(first.body().getJsonObject("job").getString("id")).isEqualTo(left.id());
                assertThat(http.get("/readyz").body().getInteger("journal")).isEqualTo(1);
            } finally {
                redis.process().resume();
                coordinator.stop().await();
            }
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void shouldServeFromRedisWhenItsJournalHeldOnlyRestoredJobsAndTheirHandOuts(@TempDir Path dir) throws Exception {
        // killed after every entry was restored (marked so) and before the truncation: on restart with Redis up the
        // replayed hand-out's fence must still be raised and the journal truncated, or the coordinator serves its
        // workers from an empty journal for good
        KbId kb = KbId.of("dg");
        Job restored = job(kb, "restored before the crash");
        Path journal = Files.createDirectories(dir.resolve("journal"));
        Files.writeString(
                journal.resolve(Journal.FILE),
                new Journal.Entry(restored, Optional.empty(), 0).toJson().encode() + "\n"
                        + new Journal.Handed(restored.id(), kb, System.currentTimeMillis(), 0)
                                .toJson()
                                .encode()
                        + "\n"
                        + new Journal.Restored(restored.id(), 0).toJson().encode() + "\n");
        Vertx vertx = Vertx.vertx();
        try {
            Coordinator coordinator = Coordinator.start(vertx, config(journal)).await();
            try {
                Http http = new Http(coordinator.port());
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> "normal".equals(http.get("/readyz").body().getString("mode")));
                Http.Answer submitted = http.send(
                        "POST",
                        "/v1/kbs/dg/notes",
                        new JsonObject().put("user", "u").put("text", "after the restart"));
                assertThat(submitted.status()).as(submitted.body().encode()).isEqualTo(202);

                Http.Answer polled = poll(http);
                assertThat(polled.status())
                        .as("a worker's poll gets the job from Redis")
                        .isEqualTo(200);
                assertThat(polled.body().getJsonObject("job").getString("id"))
                        .isEqualTo(submitted.body().getString("id"));
            } finally {
                coordinator.stop().await();
            }
        } finally {
            vertx.close().await();
        }
    }

    private static Http.Answer poll(Http http) {
        return http.send("POST", "/v1/workers/w1/poll", new JsonObject().put("waitMs", 3000));
    }

    private static Job job(KbId kb, String text) {
        return Job.queued(JobRef.create(kb).id(), kb, "u", new JobPayload.Note(text, null, null), Instant.now());
    }

    private static CoordinatorConfig config(Path journal) {
        return WaitingForRedis.config(redis, Optional.of(journal), "dg=/srv/git/dg.git#main");
    }
}
