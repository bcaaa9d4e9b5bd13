package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.redis.RedisProcess;
import java.net.ServerSocket;
import java.nio.file.Files;
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

    @Test
    void shouldSayInOneLineThatTheWorkersPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
                UpProcess worker = spawn(
                        "worker",
                        List.of("worker"),
                        Map.of(
                                "KBSYNC_WORKER_HTTP_PORT", Integer.toString(taken.getLocalPort()),
                                "KBSYNC_COORDINATOR_URL", "http://127.0.0.1:1",
                                "KBSYNC_CACHE_DIR", dir.resolve("cache").toString()))) {
            assertThat(worker.awaitExit(EXIT)).as(worker.errors()).isEqualTo(ExitCodes.PORT_IN_USE);
            assertThat(errorLines(worker))
                    .containsExactly("error: port " + taken.getLocalPort() + " on 127.0.0.1 is in use (another"
                            + " worker?); set worker.http.port (KBSYNC_WORKER_HTTP_PORT) to a free one, or 0");
            assertThat(worker.errors()).as("no stack trace").doesNotContain("\tat ", "Caused by");
            assertThat(worker.errors())
                    .as("refused before it polled: no job taken, nothing left behind")
                    .doesNotContain("coordinator unreachable");
            assertThat(dir.resolve("cache")).doesNotExist();
        }
    }

    /**
     * A host that is not an address of this machine (bind: "Cannot assign requested address") is named as such (exit
     * 11), not a port in use (exit 7, "choose another port", which would not help), nor a bad setting (exit 2, which a
     * supervisor does not restart): a floating address (a VIP) or one that comes up late may be there at a later try.
     */
    @Test
    void shouldSayInOneLineThatTheHostIsNotAnAddressOfThisMachine() throws Exception {
        String host = "192.0.2.1"; // TEST-NET-1: documentation only, never a local address
        int port = RedisProcess.freePort();
        try (UpProcess worker = spawn(
                        "worker",
                        List.of("worker"),
                        Map.of(
                                "KBSYNC_WORKER_HTTP_HOST",
                                host,
                                "KBSYNC_WORKER_HTTP_PORT",
                                Integer.toString(port),
                                "KBSYNC_COORDINATOR_URL",
                                "http://127.0.0.1:1",
                                "KBSYNC_CACHE_DIR",
                                dir.resolve("cache").toString()));
                UpProcess coordinator = spawn(
                        "coordinator",
                        List.of("coordinator"),
                        Map.of(
                                "KBSYNC_HTTP_HOST",
                                host,
                                "KBSYNC_HTTP_PORT",
                                Integer.toString(port),
                                "KBSYNC_TOKENS",
                                "admin:admin-token-00000001,worker:worker-token-0000001",
                                "KBSYNC_REDIS_ADDRESS",
                                "redis://127.0.0.1:" + RedisProcess.freePort()))) {
            assertThat(worker.awaitExit(EXIT)).as(worker.errors()).isEqualTo(ExitCodes.HOST_NOT_LOCAL);
            assertThat(errorLines(worker))
                    .containsExactly("error: " + host + " is not an address of this machine (Cannot assign requested"
                            + " address); set worker.http.host (KBSYNC_WORKER_HTTP_HOST) to one of its addresses, or"
                            + " 0.0.0.0 for all of them");
            assertThat(worker.errors()).as("no stack trace").doesNotContain("\tat ", "Caused by");
            assertThat(coordinator.awaitExit(EXIT)).as(coordinator.errors()).isEqualTo(ExitCodes.HOST_NOT_LOCAL);
            assertThat(errorLines(coordinator))
                    .containsExactly("error: " + host + " is not an address of this machine (Cannot assign requested"
                            + " address); set http.host (KBSYNC_HTTP_HOST) to one of its addresses, or 0.0.0.0 for"
                            + " all of them");
            assertThat(coordinator.errors()).as("no stack trace").doesNotContain("\tat ", "Caused by");
        }
    }

    @Test
    void shouldSayInOneLineThatTheCoordinatorsRedisDoesNotAnswer() throws Exception {
        String hostAndPort = "127.0.0.1:" + RedisProcess.freePort();
        try (UpProcess coordinator = spawn(
                "coordinator",
                List.of("coordinator"),
                Map.of(
                        "KBSYNC_REDIS_ADDRESS",
                        "redis://:s3cret@" + hostAndPort,
                        "KBSYNC_HTTP_PORT",
                        "0",
                        "KBSYNC_AUTH_ENABLED",
                        "false"))) {
            assertThat(coordinator.awaitExit(EXIT)).as(coordinator.errors()).isEqualTo(ExitCodes.REDIS_UNREACHABLE);
            assertThat(errorLines(coordinator))
                    .singleElement()
                    .asString()
                    .startsWith("error: Redis at redis://***@" + hostAndPort + " does not answer (")
                    .endsWith("); check redis.address (KBSYNC_REDIS_ADDRESS) or redis.configFile");
            assertThat(coordinator.errors()).as("no stack trace").doesNotContain("\tat ", "Caused by");
            assertThat(coordinator.errors()).as("the password").doesNotContain("s3cret");
        }
    }

    /**
     * A worker whose agent (or note agent) it could not run is refused at start, a bad setting (exit 2), before it
     * polls: it would take agent tasks and fail every one. A relative path is one from where the worker starts.
     */
    @Test
    void shouldRefuseAWorkerWhoseAgentCannotBeRun() throws Exception {
        Path notExecutable = Files.writeString(dir.resolve("agent.sh"), "#!/bin/sh\n");
        Map<String, String> agents = Map.of(
                "KBSYNC_AGENT_COMMAND",
                "/no/such/program --flag",
                "KBSYNC_NOTE_AGENT_COMMAND",
                notExecutable.toString());
        for (Map.Entry<String, String> agent : agents.entrySet()) {
            String key = agent.getKey().equals("KBSYNC_AGENT_COMMAND") ? "agent.command" : "note.agent.command";
            String program = agent.getValue().split(" ")[0];
            try (UpProcess worker = spawn(
                    key,
                    List.of("worker"),
                    Map.of(
                            agent.getKey(),
                            agent.getValue(),
                            "KBSYNC_WORKER_HTTP_PORT",
                            "0",
                            "KBSYNC_COORDINATOR_URL",
                            "http://127.0.0.1:1",
                            "KBSYNC_CACHE_DIR",
                            dir.resolve("cache").toString()))) {
                assertThat(worker.awaitExit(EXIT)).as(worker.errors()).isEqualTo(ExitCodes.USAGE);
                assertThat(errorLines(worker))
                        .containsExactly("error: kbsync worker: bad configuration: " + key + ": " + program
                                + " is not an executable file");
                assertThat(worker.errors()).as("never polled").doesNotContain("coordinator unreachable");
                assertThat(dir.resolve("cache")).doesNotExist();
            }
        }
    }

    /** The process's stderr lines for people (its other lines are its structured log). */
    private static List<String> errorLines(UpProcess process) {
        return process.errors().lines().filter(l -> !l.contains("level=")).toList();
    }

    private UpProcess spawn(String name, List<String> args, Map<String, String> env) {
        return UpProcess.spawn(KbsyncCli.class, logs, name, args, env);
    }
}
