package dev.kbsync.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.redis.Fsync;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.stop.StopOutcome;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stop's own account of what overran: the embedded Redis's shutdown counts as part of the whole stop. */
class StackStopIT {
    @TempDir
    Path dir;

    /** A Redis that does not stop within what is left (SIGSTOPped) is killed: the stop was cut short, exit 124. */
    @Test
    void shouldReportAStopWhoseRedisHadToBeKilledAsCutShort() throws Exception {
        RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS);
        try {
            new ProcessBuilder("kill", "-STOP", Long.toString(redis.pid()))
                    .start()
                    .waitFor();

            StopOutcome outcome = StackStop.run(
                    Duration.ofMillis(200), Duration.ofMillis(200), List.of(), null, null, Vertx.vertx(), redis);

            assertThat(outcome).isInstanceOf(StopOutcome.PastBound.class);
            assertThat(((StopOutcome.PastBound) outcome).unfinished())
                    .as("what was cut short (on a loaded machine Vert.x's close may overrun the 200 ms too)")
                    .contains("the embedded Redis's shutdown (killed)");
            assertThat(redis.isAlive()).isFalse();
        } finally {
            redis.close();
        }
    }
}
