package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees of {@code kbsync demo} and {@code kbsync up} run as processes: lines for people, no log line and
 * no stack trace (the log lines are in {@code <data dir>/logs/kbsync.log}), a refused start in one line with its own
 * exit code, and a quiet stop.
 */
class ConsoleIT {
    private static final Duration UP = UpProcess.START;
    private static final List<String> NOT_FOR_PEOPLE = List.of("level=", "logger=", "Exception", "\tat ");

    @TempDir
    Path dir;

    /** The child JVMs' output, kept after the run: {@code target/ConsoleIT/<test>/}. */
    private Path logs;

    @BeforeEach
    void logs(TestInfo test) {
        logs = Path.of("target", "ConsoleIT", test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void shouldShowTheDemoToPeopleAndKeepItsLogLinesInTheLogFile() throws Exception {
        Path data = dir.resolve("demo");
        try (UpProcess demo = UpProcess.spawn(
                KbsyncCli.class,
                logs,
                "demo",
                List.of("demo", "--users", "3", "--notes", "2", "--data-dir", data.toString()))) {
            assertThat(demo.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(demo.output())
                    .contains("logs: " + data.resolve("logs/kbsync.log"))
                    .contains("OK: 6 notes submitted, 6 done")
                    .doesNotContain(NOT_FOR_PEOPLE);
            assertThat(demo.errors()).as("stderr").isEmpty();
        }
        assertThat(Files.readString(data.resolve("logs/kbsync.log")))
                .contains("level=INFO", "embedded stack up")
                .doesNotContain("level=ERROR", "uncaught exception");
    }

    @Test
    void shouldRefuseASecondUpInOneLineAndStopTheFirstQuietly() throws Exception {
        Path first = dir.resolve("first");
        try (UpProcess up = spawn("first", "--port", "0", "--data-dir", first.toString())) {
            // The port it took (a port picked free here beforehand could be taken by another test's server first).
            int port = up.awaitUp(UP).getPort();
            try (UpProcess samePort = spawn(
                    "same-port",
                    "--port",
                    Integer.toString(port),
                    "--data-dir",
                    dir.resolve("second").toString())) {
                assertThat(samePort.awaitExit(UP)).isEqualTo(ExitCodes.PORT_IN_USE);
                assertThat(samePort.errors().lines())
                        .containsExactly("error: port " + port + " on 127.0.0.1 is in use (another kbsync up?);"
                                + " choose another with --port, e.g. --port " + (port + 1));
                assertThat(samePort.output()).isEmpty();
                assertThat(dir.resolve("second"))
                        .as("refused before anything is changed: no Redis started, no demo remote made")
                        .doesNotExist();
            }
            try (UpProcess sameDir = spawn("same-dir", "--port", "0", "--data-dir", first.toString())) {
                assertThat(sameDir.awaitExit(UP)).isEqualTo(ExitCodes.DATA_DIR_IN_USE);
                assertThat(sameDir.errors().lines())
                        .singleElement()
                        .asString()
                        .startsWith("error: " + first + " is in use by another process (pid " + up.pid() + ")");
                assertThat(Files.readString(first.resolve("logs/kbsync.log")))
                        .as("the refused up wrote nothing into the running one's directory, its log included")
                        .doesNotContain("did not start", "DATA_DIR_IN_USE");
            }
            up.signal("TERM");
            assertThat(up.awaitExit(UP)).as("128 + SIGTERM").isEqualTo(143);
            assertThat(up.output())
                    .endsWith("stopping kbsync (at most 80 s) ..." + System.lineSeparator() + "kbsync stopped"
                            + System.lineSeparator())
                    .doesNotContain(NOT_FOR_PEOPLE);
            assertThat(up.errors()).as("stderr").isEmpty();
        }
    }

    private UpProcess spawn(String name, String... args) {
        List<String> command = new ArrayList<>(List.of("up", "--workers", "1"));
        command.addAll(List.of(args));
        return UpProcess.spawn(KbsyncCli.class, logs, name, command);
    }
}
