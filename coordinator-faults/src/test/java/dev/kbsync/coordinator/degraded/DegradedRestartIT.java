package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator process accepts notes into its journal while Redis is SIGSTOPped (up to the journal's limit, then 503
 * JOURNAL_UNAVAILABLE), is SIGKILLed during the outage, and a new process on the same journal directory, started after
 * Redis returned, puts every accepted job into Redis under its id exactly once and truncates the journal.
 */
@TimingSensitive
class DegradedRestartIT {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedRestartIT.class);
    private static final int MAX_ENTRIES = 5;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldLandTheJournalOfACoordinatorKilledDuringAnOutageExactlyOnce(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        Map<String, String> env = Map.of(
                "KBSYNC_AUTH_ENABLED", "false",
                "KBSYNC_REDIS_ADDRESS", redis.uri(),
                "KBSYNC_KBS", "killed=/srv/git/killed.git#main",
                "KBSYNC_DEGRADED_JOURNAL_DIR", journal.toString(),
                "KBSYNC_DEGRADED_JOURNAL_MAX_ENTRIES", Integer.toString(MAX_ENTRIES));
        Path log = dir.resolve("coordinator.log");
        List<String> accepted = new ArrayList<>();
        Http.Answer full;
        try (CoordinatorProcess first = CoordinatorProcess.start(env, log)) {
            Http http = first.http();
            Http.Answer before = http.note("killed", "u", "before the outage");
            assertThat(before.status()).as(before.body().encode()).isEqualTo(202);
            http.awaitNormalWithEmptyJournal();
            redis.process().pause();
            try {
                http.awaitDegraded(Duration.ofSeconds(10));
                for (int i = 0; i < MAX_ENTRIES; i++) {
                    Http.Answer answer = http.note("killed", "u", "during the outage " + i);
                    assertThat(answer.status()).as(answer.body().encode()).isEqualTo(202);
                    assertThat(answer.body().getString("mode")).isEqualTo("degraded");
                    assertThat(answer.body().getLong("ahead"))
                            .as(() -> "before the outage: " + before.body().encode() + "\n"
                                    + CoordinatorProcess.tail(log))
                            .isEqualTo(i);
                    accepted.add(answer.body().getString("id"));
                }
                full = http.note("killed", "u", "one too many");
                first.kill();
            } finally {
                redis.process().resume();
            }
        }
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.error()).isEqualTo("JOURNAL_UNAVAILABLE");
        assertThat(full.retryAfter()).isNotNull();
        assertThat(Files.size(journal.resolve(Journal.FILE))).isPositive();

        long restartedAt = System.nanoTime();
        try (CoordinatorProcess second = CoordinatorProcess.start(env, log)) {
            Http http = second.http();
            await().atMost(Duration.ofSeconds(10)).until(() -> accepted.stream().allMatch(id -> http.inRedis(id)));
            LOG.info(
                    "restarted coordinator: its {} journal jobs in Redis {} ms after its start began",
                    accepted.size(),
                    (System.nanoTime() - restartedAt) / 1_000_000);
            assertThat(http.queuedOnceAnswered("killed")).isEqualTo(1 + accepted.size());
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.size(journal.resolve(Journal.FILE)) == 0);
            assertThat(http.get("/readyz").body().getString("mode")).isEqualTo("normal");
            assertThat(http.note("killed", "u", "after").body().getString("mode"))
                    .isNull();
        }
    }
}
