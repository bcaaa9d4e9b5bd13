package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.stop.StopOutcome;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator process SIGTERMed while its Redis is SIGSTOPped (connections open, nothing answered) exits within its
 * {@code shutdown.timeoutSeconds}, with the exit status of a stop past its bound and one WARN naming what had not
 * finished; a note its journal accepted during the outage is restored into Redis exactly once by the next process.
 */
@TimingSensitive
class StopBoundIT {
    private static final Logger LOG = LoggerFactory.getLogger(StopBoundIT.class);
    private static final Duration BOUND = Duration.ofSeconds(5);
    /** The time past the bound a halting JVM may take on a loaded machine. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldExitWithinItsBoundWhileRedisHangsAndLoseNothing(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        Map<String, String> env = Map.of(
                "KBSYNC_AUTH_ENABLED", "false",
                "KBSYNC_REDIS_ADDRESS", redis.uri(),
                "KBSYNC_KBS", "bounded=/srv/git/bounded.git#main",
                "KBSYNC_DEGRADED_JOURNAL_DIR", journal.toString(),
                "KBSYNC_SHUTDOWN_TIMEOUT_SECONDS", Long.toString(BOUND.toSeconds()));
        Path log = dir.resolve("coordinator.log");
        String journaled;
        Optional<CoordinatorProcess.Exit> exit;
        try (CoordinatorProcess first = CoordinatorProcess.start(env, log)) {
            Http http = first.http();
            Http.Answer before = http.note("bounded", "u", "before the outage");
            assertThat(before.status()).as(before.body().encode()).isEqualTo(202);
            http.awaitNormalWithEmptyJournal();
            redis.process().pause();
            try {
                http.awaitDegraded(Duration.ofSeconds(10));
                Http.Answer during = http.note("bounded", "u", "during the outage");
                assertThat(during.status()).as(during.body().encode()).isEqualTo(202);
                assertThat(during.body().getString("mode")).isEqualTo("degraded");
                journaled = during.body().getString("id");

                exit = first.terminate(Duration.ofSeconds(90));
            } finally {
                redis.process().resume();
            }
        }
        LOG.info(
                "SIGTERM while Redis hangs: {}; {}",
                exit.map(Object::toString).orElse("still running after 90 s"),
                warnings(log));
        assertThat(exit)
                .as("the process exited\n" + CoordinatorProcess.tail(log))
                .isPresent();
        assertThat(exit.get().took())
                .as("SIGTERM to exit, with a bound of %s\n%s", BOUND, CoordinatorProcess.tail(log))
                .isLessThan(BOUND.plus(SLACK));
        assertThat(exit.get().status()).as(CoordinatorProcess.tail(log)).isEqualTo(StopOutcome.EXIT_PAST_BOUND);
        List<String> warnings = warnings(log);
        assertThat(warnings).as(CoordinatorProcess.tail(log)).hasSize(1);
        String warning = warnings.get(0);
        assertThat(warning).contains("did not finish within " + BOUND.toSeconds() + " s");
        assertThat(warning.substring(warning.indexOf("still under way: "), warning.indexOf("; exiting anyway")))
                .as("what had not finished")
                .contains("Redis");
        assertThat(warning).contains("the 1 job(s) in the degraded-mode journal are on disk");
        assertThat(Files.size(journal.resolve(Journal.FILE))).isPositive();

        try (CoordinatorProcess second = CoordinatorProcess.start(env, log)) {
            Http http = second.http();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.inRedis(journaled));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.size(journal.resolve(Journal.FILE)) == 0);
            assertThat(http.queuedOnceAnswered("bounded")).isEqualTo(2);
        }
    }

    /** The first process's lines about its stop past the bound. */
    private static List<String> warnings(Path log) throws IOException {
        return Files.readAllLines(log).stream()
                .filter(line -> line.contains("WARN") && line.contains("stop did not finish"))
                .toList();
    }
}
