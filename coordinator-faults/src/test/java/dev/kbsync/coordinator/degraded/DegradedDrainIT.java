package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * While a journal drains into Redis, a KB with no jobs in it is served by Redis at once (its rate limits, callbacks and
 * real positions back), while a KB whose journal jobs are still on their way keeps journaling behind them, in order.
 */
@TimingSensitive
class DegradedDrainIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final int BACKLOG = 5_000;

    @Test
    void shouldServeAKbWithoutJournalJobsFromRedisWhileAnotherKbsJournalDrains(@TempDir Path dir) throws IOException {
        Path journal = Files.createDirectories(dir.resolve("journal"));
        StringBuilder lines = new StringBuilder();
        KbId dg = KbId.of("dg");
        for (int i = 0; i < BACKLOG; i++) { // what an outage left: a backlog on one KB
            Job job = Job.queued(
                    JobRef.create(dg).id(), dg, "u", new JobPayload.Note("backlog " + i, null, null), Instant.now());
            lines.append(new Journal.Entry(job, Optional.empty(), 0).toJson().encode())
                    .append('\n');
        }
        Files.writeString(journal.resolve(Journal.FILE), lines);
        Vertx vertx = Vertx.vertx();
        Coordinator coordinator = Coordinator.start(
                        vertx,
                        WaitingForRedis.config(
                                redis, Optional.of(journal), "dg=/srv/git/dg.git#main,full=/srv/git/full.git#main"))
                .await();
        Http http = new Http(coordinator.port());
        try {
            Http.Answer other = http.note("full", "v", "not behind the backlog");
            Http.Answer behind = http.note("dg", "v", "behind the backlog");
            int left = http.get("/readyz").body().getInteger("journal");

            assertThat(left)
                    .as("the journal still drains (else this run proves nothing)")
                    .isPositive();
            assertThat(other.status()).isEqualTo(202);
            assertThat(other.body().getString("mode")).as(other.body().encode()).isNull();
            assertThat(behind.status()).isEqualTo(202);
            assertThat(behind.body().getString("mode")).isEqualTo("degraded");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> http.get("/readyz").body().getInteger("journal") == 0);
            assertThat(http.queued("dg")).isEqualTo(BACKLOG + 1);
            assertThat(http.queued("full")).isEqualTo(1);
        } finally {
            coordinator.stop().await();
            vertx.close().await();
        }
    }
}
