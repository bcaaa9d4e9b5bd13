package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kbsync demo} checks its arguments before it creates anything, removes the temporary directory it made when
 * it does not run, stops its stack and removes that directory when stopped mid-run (Ctrl-C), and runs in an explicit
 * {@code --data-dir} (the default's name included) as told. Child JVMs with a
 * temporary directory of their own ({@code java.io.tmpdir}), so what a demo leaves there is seen.
 */
class DemoStartIT {
    private static final Duration EXIT = UpProcess.START;

    @TempDir
    Path dir;

    private Path tmp;
    private Path logs;

    @BeforeEach
    void dirs(TestInfo test) throws Exception {
        tmp = Files.createDirectories(dir.resolve("tmp"));
        logs = Path.of(
                "target", "DemoStartIT", test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void shouldRefuseBadValuesAndATakenPortBeforeCreatingItsDirectory() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            String port = Integer.toString(taken.getLocalPort());
            assertRefused("workers", ExitCodes.USAGE, "--workers must be 1-16", "--workers", "0");
            assertRefused("port", ExitCodes.USAGE, "--port must be 0-65535", "--port", "70000");
            assertRefused("taken", ExitCodes.PORT_IN_USE, "port " + port + " on 127.0.0.1 is in use", "--port", port);
        }
    }

    @Test
    void shouldKeepItsDirectoryWithItsLogsWhenTheStackDoesNotStart() throws Exception {
        String errors;
        try (UpProcess demo = demo("redis-fails", Map.of("REDIS_SERVER", "/bin/false"), null)) {
            assertThat(demo.awaitExit(EXIT)).as(demo.errors()).isEqualTo(ExitCodes.REDIS_NOT_STARTED);
            errors = demo.errors();
        }
        assertThat(errors).contains("error: the embedded redis-server");
        try (var kept = Files.list(tmp)) {
            Path dir = kept.filter(p -> p.getFileName().toString().startsWith("kbsync-demo"))
                    .findFirst()
                    .orElseThrow();
            assertThat(errors).as("says where").contains("kept " + dir);
            assertThat(dir.resolve("logs/kbsync.log"))
                    .as("its log, which the error's details are in")
                    .exists();
        }
    }

    /**
     * Ctrl-C while its users write: the stack stops as {@code up}'s does (workers, coordinator, then Redis with
     * {@code SHUTDOWN}), no process is left, and its own directory goes, before it exits 128 + the signal.
     */
    @Test
    void shouldStopItsStackAndRemoveItsDirectoryWhenStoppedMidRun() throws Exception {
        // a build started in the background inherits SIGINT ignored, and so would kbsync: then SIGTERM
        boolean interruptible = !UpProcess.sigintIgnoredHere();
        List<ProcessHandle> redis;
        String output;
        try (UpProcess demo = demo("stopped", Map.of(), null, "--users", "20", "--notes", "20")) {
            await().atMost(EXIT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> demo.output().contains("logs: "));
            redis = demo.descendants();
            assertThat(redis).as("redis-server and its watchdog").isNotEmpty();
            demo.signal(interruptible ? "INT" : "TERM");
            int exit = demo.awaitExit(Duration.ofSeconds(60));
            output = demo.output();
            assertThat(tmp)
                    .as("its directory, removed once its stack stopped:\n" + output + demo.errors())
                    .isEmptyDirectory();
            assertThat(exit).as(demo.errors()).isEqualTo(interruptible ? 130 : 143);
        }
        assertThat(output).contains("stopping kbsync").contains("kbsync stopped");
        assertThat(output).as("no verdict: it was stopped").doesNotContain("OK: ");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(redis).as("no process left").noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void shouldRunInAnExplicitDataDirNamedAsTheDefault() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        try (UpProcess demo =
                demo("explicit", Map.of(), work, "--users", "1", "--notes", "1", "--data-dir", ".kbsync")) {
            assertThat(demo.awaitExit(EXIT)).as(demo.errors()).isZero();
            assertThat(demo.output()).contains("logs: " + work.resolve(".kbsync/logs/kbsync.log"));
        }
        assertThat(work.resolve(".kbsync/logs/kbsync.log"))
                .as("kept: the user's directory")
                .exists();
        assertThat(tmp).as("no temporary directory").isEmptyDirectory();
    }

    private void assertRefused(String name, int code, String says, String... args) throws Exception {
        try (UpProcess demo = demo(name, Map.of(), null, args)) {
            assertThat(demo.awaitExit(EXIT)).as(name + ": " + demo.errors()).isEqualTo(code);
            assertThat(demo.errors().lines())
                    .as(name)
                    .singleElement()
                    .asString()
                    .startsWith("error: ")
                    .contains(says);
            assertThat(demo.output()).as(name).isEmpty();
        }
        assertThat(tmp).as(name + ": nothing left in the temporary directory").isEmptyDirectory();
    }

    /** {@code kbsync demo args} in a child JVM whose temporary directory is {@link #tmp}, in {@code workDir}. */
    private UpProcess demo(String name, Map<String, String> env, Path workDir, String... args) {
        List<String> command = new ArrayList<>(List.of("demo"));
        command.addAll(List.of(args));
        return UpProcess.spawn(KbsyncCli.class, logs, name, command, env, List.of("-Djava.io.tmpdir=" + tmp), workDir);
    }
}
