package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.redis.RedisProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way {@code kbsync up} can be refused at start gives one {@code error:} line that says what to do, and its own
 * exit code; nothing is left running.
 */
class StartFailuresIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void shouldRefuseADataDirThatCannotBeWritten() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        try (UpProcess up = up(
                "data-dir-not-writable",
                Map.of(),
                "--data-dir",
                file.resolve("data").toString())) {
            assertThat(up.awaitExit(WAIT)).isEqualTo(ExitCodes.DATA_DIR_NOT_WRITABLE);
            assertThat(up.errors().lines())
                    .containsExactly("error: cannot write to the data directory " + file.resolve("data")
                            + " (a file is in the way); choose another with --data-dir");
            assertThat(up.output()).isEmpty();
        }
    }

    @Test
    void shouldRefuseARedisThatDoesNotAnswerWithinSeconds() throws Exception {
        String redis = "redis://127.0.0.1:" + RedisProcess.freePort();
        // what a child JVM refused before it looks for Redis takes on this machine now (start, refusal, exit): the
        // bound below is relative to it, since a loaded machine can take most of 10 s to start a JVM alone
        Path file = Files.writeString(dir.resolve("in-the-way"), "x");
        long baselineStarted = System.nanoTime();
        try (UpProcess up = up(
                "redis-unreachable-baseline",
                Map.of(),
                "--data-dir",
                file.resolve("data").toString())) {
            assertThat(up.awaitExit(WAIT)).isEqualTo(ExitCodes.DATA_DIR_NOT_WRITABLE);
        }
        Duration baseline = Duration.ofNanos(System.nanoTime() - baselineStarted);
        long started = System.nanoTime();

        String withPassword = redis.replace("//", "//:s3cret@"); // never printed nor logged
        try (UpProcess up = up("redis-unreachable", Map.of(), "--redis", withPassword, "--data-dir", dir.toString())) {
            assertThat(up.awaitExit(WAIT)).isEqualTo(ExitCodes.REDIS_UNREACHABLE);
            assertThat(up.errors().lines())
                    .containsExactly("error: Redis at " + redis.replace("//", "//***@")
                            + " does not answer (Connection refused); check --redis, or leave it out to run an"
                            + " embedded Redis");
        }
        assertThat(Files.readString(dir.resolve("logs/kbsync.log"))).doesNotContain("s3cret");
        // "(Connection refused)" is the pre-check's own refusal: Redisson's would name the address ("Connection
        // refused: /127.0.0.1:port") after its ~10 s of retries, so the message proves Redisson was never reached.
        // The time is a loose second check. Two JVMs' starts on a loaded machine differ by far more than seconds
        // (14.7 s against 27.9 s once in CI), so it allows twice the baseline, plus 5 s: on a machine that starts
        // a JVM in 3 s, a refusal that waited for Redisson's retries (3 + 10 s) would still exceed it (11 s).
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took)
                .as(
                        "under twice a refusal without Redis (%s ms, the JVM's start included), plus 5 s; Redisson"
                                + " alone would retry for ~10 s",
                        baseline.toMillis())
                .isLessThan(baseline.multipliedBy(2).plus(Duration.ofSeconds(5)));
    }

    @Test
    void shouldRefuseABadValueAsAUsageError() {
        Result up = run("up", "--workers", "99", "--data-dir", dir.toString());

        assertThat(up.exit).isEqualTo(ExitCodes.USAGE);
        assertThat(up.err.lines()).containsExactly("error: --workers must be 1-16, got 99 (see 'kbsync up --help')");
    }

    /**
     * A bad stop bound in the environment (the coordinator's, the workers') is refused before anything is created: no
     * data directory, no Redis started.
     */
    @Test
    void shouldRefuseABadShutdownSettingBeforeCreatingAnything() throws Exception {
        Map<String, String> keys = Map.of(
                "KBSYNC_SHUTDOWN_TIMEOUT_SECONDS",
                "shutdown.timeoutSeconds",
                "KBSYNC_SHUTDOWN_GRACE",
                "shutdown.grace");
        for (String variable : keys.keySet()) {
            Path data = dir.resolve("data-" + variable);
            try (UpProcess up = up("bad-" + variable, Map.of(variable, "bogus"), "--data-dir", data.toString())) {
                assertThat(up.awaitExit(WAIT)).as(variable).isEqualTo(ExitCodes.USAGE);
                assertThat(up.errors().lines())
                        .as(variable)
                        .singleElement()
                        .asString()
                        .startsWith("error: bad configuration: " + keys.get(variable) + ": ");
                assertThat(up.output()).as(variable).isEmpty();
                assertThat(data)
                        .as(variable + ": refused before anything is created")
                        .doesNotExist();
            }
        }
    }

    /**
     * What lies in the temporary directory, at whatever name (a file or another user's directory at {@code
     * kbsync-stand-in}, where the settings check once put the stand-ins of the data directory), does not keep {@code up}
     * from starting, and its check leaves nothing behind there.
     */
    @Test
    void shouldStartWhateverLiesInTheTemporaryDirectory() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path inTheWay = Files.writeString(tmp.resolve("kbsync-stand-in"), "someone else's file");
        try (UpProcess up = UpProcess.spawn(
                KbsyncCli.class,
                Path.of("target", "StartFailuresIT"),
                "stand-in-taken",
                List.of(
                        "up",
                        "--port",
                        "0",
                        "--workers",
                        "1",
                        "--data-dir",
                        dir.resolve("data").toString()),
                Map.of(),
                List.of("-Djava.io.tmpdir=" + tmp),
                null)) {
            up.awaitUp(UpProcess.START);
            up.signal("TERM");
            assertThat(up.awaitExit(WAIT)).as(up.errors()).isEqualTo(143);
        }
        assertThat(Files.readString(inTheWay)).isEqualTo("someone else's file");
        try (var left = Files.list(tmp)) {
            assertThat(left).as("what the run left in its temporary directory").containsExactly(inTheWay);
        }
    }

    @Test
    void shouldSayWhenTheEmbeddedRedisServerCannotStart() throws Exception {
        Path data = dir.resolve("data");
        try (UpProcess up =
                up("redis-server-fails", Map.of("REDIS_SERVER", "/bin/false"), "--data-dir", data.toString())) {
            assertThat(up.awaitExit(WAIT)).isEqualTo(ExitCodes.REDIS_NOT_STARTED);
            assertThat(up.errors().lines())
                    .singleElement()
                    .asString()
                    .startsWith("error: the embedded redis-server did not start: redis-server exited at start;")
                    .endsWith("install redis-server (or set REDIS_SERVER to one), or join a running Redis with"
                            + " --redis");
            assertThat(up.output()).isEmpty();
            assertThat(up.descendants()).isEmpty();
        }
        assertThat(Files.readString(data.resolve("logs/kbsync.log"))).contains("up did not start (REDIS_NOT_STARTED)");
    }

    @Test
    void shouldSayInOneLineThatAServiceConfigFileIsMissing() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        for (String service : List.of("worker", "coordinator")) {
            try (UpProcess process = UpProcess.spawn(
                    KbsyncCli.class,
                    Path.of("target", "StartFailuresIT"),
                    service + "-config-missing",
                    List.of(service, "--config", missing.toString()))) {
                assertThat(process.awaitExit(WAIT)).as(service).isEqualTo(ExitCodes.USAGE);
                assertThat(process.errors().lines())
                        .as(service)
                        .containsExactly("error: kbsync " + service + ": bad configuration: config file " + missing
                                + " does not exist");
                assertThat(process.output()).as(service).isEmpty();
            }
        }
    }

    /** {@code kbsync up --port 0 args} in a child JVM, its environment plus {@code env}. */
    private static UpProcess up(String name, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("up", "--port", "0"));
        command.addAll(List.of(args));
        return UpProcess.spawn(KbsyncCli.class, Path.of("target", "StartFailuresIT"), name, command, env);
    }

    private record Result(int exit, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = KbsyncCli.run(args);
            return new Result(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
