package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal that cannot be written any more when Redis is back (its disk full, remounted read-only; here: the file made
 * immutable) still has its jobs restored into Redis: the mark that a job is restored only saves a second restore
 * after a crash, so its failure is logged, not fatal. Before, the first mark's failure failed the pass, the next pass
 * did the same, and the journal's later jobs never reached Redis while every new note to their KB went to the
 * journal that could not take it ({@code 503}), with Redis healthy.
 */
class UnwritableJournalRestoreIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldRestoreEveryJobWhenTheJournalCannotBeWrittenAnyMore(@TempDir Path dir) throws Exception {
        KbId kb = KbId.of("dg");
        Job first = job(kb, "accepted during the outage");
        Job second = job(kb, "accepted during the outage too");
        Path journal = Files.createDirectories(dir.resolve("journal"));
        Path file = Files.writeString(
                journal.resolve(Journal.FILE),
                new Journal.Entry(first, Optional.empty(), 0).toJson().encode() + "\n"
                        + new Journal.Entry(second, Optional.empty(), 0)
                                .toJson()
                                .encode() + "\n");
        Vertx vertx = Vertx.vertx();
        redis.process().pause(); // the coordinator opens its journal during the outage
        try {
            Coordinator coordinator = Coordinator.start(vertx, config(journal)).await();
            try {
                Http http = new Http(coordinator.port());
                http.awaitDegraded(Duration.ofSeconds(20));
                boolean immutable = chattr("+i", file);
                redis.process().resume();
                assumeTrue(immutable, "chattr +i does not work here");
                Set<String> polled = new HashSet<>();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    Http.Answer answer = http.send("POST", "/v1/workers/w1/poll", new JsonObject().put("waitMs", 500));
                    if (answer.status() == 200) {
                        String id = answer.body().getJsonObject("job").getString("id");
                        polled.add(id);
                        http.send(
                                "POST",
                                "/v1/jobs/" + id + "/result",
                                new JsonObject()
                                        .put(
                                                "leaseId",
                                                answer.body()
                                                        .getJsonObject("lease")
                                                        .getString("id"))
                                        .put("state", "done"));
                    }
                    assertThat(polled).containsExactlyInAnyOrder(first.id(), second.id());
                });
                Http.Answer later = http.send(
                        "POST",
                        "/v1/kbs/dg/notes",
                        new JsonObject().put("user", "u").put("text", "after the outage"));
                assertThat(later.status()).as(later.body().encode()).isEqualTo(202);
            } finally {
                chattr("-i", file);
                redis.process().resume();
                coordinator.stop().await();
            }
        } finally {
            chattr("-i", file);
            vertx.close().await();
        }
    }

    private static boolean chattr(String flag, Path file) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("chattr", flag, file.toString())
                .redirectErrorStream(true)
                .start();
        process.getInputStream().readAllBytes();
        return process.waitFor() == 0;
    }

    private static Job job(KbId kb, String text) {
        return Job.queued(JobRef.create(kb).id(), kb, "u", new JobPayload.Note(text, null, null), Instant.now());
    }

    private static CoordinatorConfig config(Path journal) {
        return WaitingForRedis.config(redis, Optional.of(journal), "dg=/srv/git/dg.git#main");
    }
}
