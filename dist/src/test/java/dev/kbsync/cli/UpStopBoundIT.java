package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kbsync up --redis} SIGTERMed while that Redis is SIGSTOPped: its coordinator part stops within the
 * coordinator's {@code shutdown.timeoutSeconds} and the process exits 124, saying what had not finished.
 */
@TimingSensitive
class UpStopBoundIT {
    private static final Logger LOG = LoggerFactory.getLogger(UpStopBoundIT.class);
    private static final Duration BOUND = Duration.ofSeconds(5);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldCutItsCoordinatorsStopShortAtItsBoundWhileRedisHangs(@TempDir Path data) throws Exception {
        List<String> args =
                List.of("up", "--port", "0", "--workers", "1", "--data-dir", data.toString(), "--redis", redis.uri());
        try (UpProcess up = UpProcess.spawn(
                KbsyncCli.class,
                Path.of("target", "UpStopBoundIT"),
                "paused-redis",
                args,
                Map.of("KBSYNC_SHUTDOWN_TIMEOUT_SECONDS", Long.toString(BOUND.toSeconds())))) {
            up.awaitUp(UpProcess.START);
            redis.process().pause();
            try {
                Thread.sleep(2000); // the coordinator's Redis calls under way now wait
                long sent = System.nanoTime();
                up.signal("TERM");
                int status = up.awaitExit(Duration.ofSeconds(90));
                Duration took = Duration.ofNanos(System.nanoTime() - sent);
                LOG.info("kbsync up SIGTERMed while Redis hangs: exited {} after {} ms", status, took.toMillis());

                assertThat(status).as(up.output() + "\n" + up.errors()).isEqualTo(ExitCodes.STOP_PAST_BOUND);
                assertThat(up.output()).contains("kbsync stopped, cut short after " + BOUND.toSeconds() + " s");
                assertThat(took)
                        .as("SIGTERM to exit: the worker's stop, then at most the bound")
                        .isLessThan(BOUND.plusSeconds(15));
            } finally {
                redis.process().resume();
            }
        }
    }
}
