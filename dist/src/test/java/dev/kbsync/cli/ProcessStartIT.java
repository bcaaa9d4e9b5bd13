package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the production processes ({@code kbsync coordinator}, {@code kbsync worker}) and every command say when their
 * environment is wrong, run as processes: one {@code error:} line that says what to do, a documented exit code, no
 * stack trace.
 */
class ProcessStartIT {
    private static final Duration EXIT = UpProcess.START;

    @TempDir
    Path dir;

    /** The child JVMs' output, kept after the run: {@code target/ProcessStartIT/<test>/}. */
    private Path logs;

    @BeforeEach
    void logs(TestInfo test) {
        logs = Path.of(
                "target", "ProcessStartIT", test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void shouldRefuseAnUnknownLogLevelNamingTheAcceptedOnes() throws Exception {
        for (String variable : List.of("KBSYNC_LOG_LEVEL", "KBSYNC_LOG")) {
            try (UpProcess jobs =
                    spawn(variable, List.of("jobs", "--url", "http://127.0.0.1:1"), Map.of(variable, "bogus"))) {
                assertThat(jobs.awaitExit(EXIT)).as(jobs.errors()).isEqualTo(ExitCodes.USAGE);
                assertThat(jobs.errors().lines())
                        .containsExactly("error: " + variable
                                + " must be one of trace, debug, info, warn, error, off; got \"bogus\"");
            }
        }
    }

    private UpProcess spawn(String name, List<String> args, Map<String, String> env) {
        return UpProcess.spawn(KbsyncCli.class, logs, name, args, env);
    }
}
