package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.RedisSentinelGroup;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;

/**
 * {@code kbsync doctor} against real Redis servers (one set up as kbsync needs, one with {@code allkeys-lru} and no
 * persistence, one that is not there, a Sentinel group), a real coordinator, and real git remotes (one with the
 * branch, one without it, one that does not exist).
 */
class DoctorIT {
    @RegisterExtension
    static final RedisExtension healthy = RedisExtension.appendOnly();

    @RegisterExtension
    static final RedisExtension evicting = new RedisExtension();

    @TempDir
    static Path dir;

    private static Vertx vertx;
    private static Coordinator coordinator;
    private static Path remote;

    @BeforeAll
    static void start() throws Exception {
        remote = bareRepository(dir.resolve("kb.git"));
        Config config = new Config();
        config.useSingleServer().setAddress(evicting.uri());
        RedissonClient redisson = Redisson.create(config);
        try {
            redisson.getRedisNodes(RedisNodes.SINGLE).getInstance().setConfig("maxmemory-policy", "allkeys-lru");
        } finally {
            redisson.shutdown();
        }
        vertx = Vertx.vertx();
        coordinator = Coordinator.start(
                        vertx,
                        CoordinatorConfig.load(
                                Optional.empty(),
                                Map.of(
                                        "KBSYNC_HTTP_PORT",
                                        "0",
                                        "KBSYNC_REDIS_ADDRESS",
                                        healthy.uri(),
                                        "KBSYNC_AUTH_ENABLED",
                                        "false",
                                        "KBSYNC_KBS",
                                        "listed=" + remote + "#main")))
                .await();
    }

    @AfterAll
    static void stop() {
        coordinator.stop().await();
        vertx.close().await();
    }

    @Test
    void shouldPassADeploymentSetUpAsKbsyncNeedsIt() throws Exception {
        Result doctor = doctor(
                coordinatorYaml("healthy", "redis:\n  address: " + healthy.uri() + "\n"),
                workerYaml("healthy", "http://127.0.0.1:" + coordinator.port(), "[/bin/cat]"));

        assertThat(doctor.exit).isEqualTo(ExitCodes.OK);
        assertThat(doctor.lines())
                .contains(
                        "pass  redis version              " + redisVersion(doctor),
                        "pass  redis maxmemory-policy     noeviction",
                        "warn  redis replication          no replica: a lost machine loses the data not on its disk",
                        "skip  redis sentinel             not a Sentinel setup",
                        "skip  git token hosts            KBSYNC_GIT_TOKEN is not set",
                        "pass  agent command              /bin/cat",
                        "skip  note agent command         note.agent.command is not set",
                        "pass  worker stop                at most 60s (shutdown.grace); a poll in flight (poll.wait 20s)"
                                + " fits its first 45s")
                .anyMatch(l -> l.startsWith("pass  redis reachable            " + healthy.uri() + " answered PING"))
                .anyMatch(l -> l.startsWith("pass  redis persistence          AOF, appendfsync everysec"))
                .anyMatch(l -> l.startsWith("pass  clock skew                 Redis is "))
                .anyMatch(l -> l.startsWith("pass  coordinator ready          http://127.0.0.1:" + coordinator.port()
                        + "/readyz answered 200; 1 KB(s)"))
                .anyMatch(l -> l.startsWith("pass  kb listed remote           " + remote + ": branch main at "))
                .anyMatch(l -> l.startsWith("pass  cache dir disk space       "))
                .noneMatch(l -> l.startsWith("fail"));
        assertThat(doctor.out).endsWith("doctor: 10 pass, 1 warn, 0 fail, 3 skip" + System.lineSeparator());
    }

    @Test
    void shouldWarnWhenOneOfTheWorkersCoordinatorsIsNotReady() throws Exception {
        String ready = "http://127.0.0.1:" + coordinator.port();
        String gone = "http://127.0.0.1:" + RedisProcess.freePort();
        Result doctor = doctor(
                coordinatorYaml("two", "redis:\n  address: " + healthy.uri() + "\n"),
                workerYaml("two", gone + "," + ready, "[/bin/cat]"));

        assertThat(doctor.lines())
                .anyMatch(
                        l -> l.startsWith("warn  coordinator ready          " + ready + "/readyz answered 200; 1 KB(s);"
                                        + " not ready (the worker uses the others): " + gone + "/readyz: ")
                                && l.contains("cannot reach the coordinator"))
                .anyMatch(l -> l.startsWith("pass  kb listed remote           " + remote + ": branch main at "));
    }

    @Test
    void shouldFailWhatAnOperatorWouldOtherwiseDebugByHand() throws Exception {
        Path noBranch = bareRepository(dir.resolve("no-branch.git"));
        Result doctor = doctor(
                coordinatorYaml(
                        "broken",
                        "redis:\n  address: " + evicting.uri() + "\n"
                                + "kbs:\n"
                                + "  - {id: missing, remote: \"" + dir.resolve("nowhere.git") + "\", branch: main}\n"
                                + "  - {id: nobranch, remote: \"" + noBranch + "\", branch: notes}\n"),
                workerYaml("broken", "http://127.0.0.1:" + RedisProcess.freePort(), "[no-such-agent, --run]"));

        assertThat(doctor.exit).isEqualTo(ExitCodes.FAILED);
        assertThat(doctor.lines())
                .contains(
                        "fail  redis maxmemory-policy     allkeys-lru: Redis may evict queues, grants and accepted"
                                + " jobs when memory is full (maxmemory 0B); set maxmemory-policy noeviction",
                        "fail  redis persistence          no AOF and no replica: a Redis restart loses every accepted"
                                + " job, grant and fencing counter; set appendonly yes with appendfsync everysec or"
                                + " always",
                        "fail  kb nobranch remote         " + noBranch + ": no branch 'notes' (branches: main)",
                        "fail  agent command              no-such-agent is not on PATH; fix agent.command")
                .anyMatch(l -> l.startsWith("fail  coordinator ready          http://127.0.0.1:")
                        && l.contains("cannot reach the coordinator"))
                .anyMatch(l -> l.startsWith("fail  kb missing remote          " + dir.resolve("nowhere.git") + ": ")
                        && l.contains("not found"));
    }

    @Test
    void shouldFailARedisThatDoesNotAnswer() throws Exception {
        String nowhere = "redis://127.0.0.1:" + RedisProcess.freePort();
        Result doctor = doctor(
                coordinatorYaml("nowhere", "redis:\n  address: " + nowhere + "\n"),
                workerYaml("nowhere", "http://127.0.0.1:" + coordinator.port(), "[/bin/cat]"));

        assertThat(doctor.exit).isEqualTo(ExitCodes.FAILED);
        assertThat(doctor.lines())
                .contains("fail  redis reachable            " + nowhere + " does not answer:" + " Connection refused");
    }

    @Test
    void shouldShowReplicasAndTheSentinelsViewOfTheMaster() throws Exception {
        try (RedisSentinelGroup group = RedisSentinelGroup.start()) {
            Path redisson = Files.writeString(
                    dir.resolve("sentinel.yaml"),
                    "sentinelServersConfig:\n  masterName: " + group.masterName() + "\n  checkSentinelsList: false\n"
                            + "  sentinelAddresses:\n"
                            + String.join(
                                    "",
                                    group.sentinelAddresses().stream()
                                            .map(a -> "    - \"" + a + "\"\n")
                                            .toList()));
            Result doctor = doctor(
                    coordinatorYaml("sentinel", "redis:\n  configFile: " + redisson + "\n"),
                    workerYaml("sentinel", "http://127.0.0.1:" + coordinator.port(), "[/bin/cat]"));

            assertThat(doctor.lines())
                    .contains(
                            "pass  redis replication          master with 1 connected replica(s)",
                            "pass  redis sentinel             3 sentinel(s), quorum 2, master 'kbsync' at 127.0.0.1:"
                                    + group.master().port(),
                            "warn  redis persistence          no AOF: only the replicas keep accepted jobs; set"
                                    + " appendonly yes with appendfsync everysec or always");
        }
    }

    private record Result(int exit, String out) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Result doctor(Path coordinatorYaml, Path workerYaml) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int exit = KbsyncCli.run(
                    "doctor",
                    "--config",
                    coordinatorYaml.toString(),
                    "--worker-config",
                    workerYaml.toString(),
                    "--timeout",
                    "3");
            return new Result(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    private static String redisVersion(Result doctor) {
        return doctor.lines().stream()
                .filter(l -> l.startsWith("pass  redis version"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .findFirst()
                .orElse("?");
    }

    private static Path coordinatorYaml(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name + "-coordinator.yaml"), yaml);
    }

    private static Path workerYaml(String name, String coordinatorUrl, String agent) throws Exception {
        return Files.writeString(
                dir.resolve(name + "-worker.yaml"),
                "coordinator:\n  url: " + coordinatorUrl + "\ncache:\n  dir: " + dir.resolve(name + "-cache") + "\n"
                        + "agent:\n  command: " + agent + "\n");
    }

    /** A bare repository with one commit on {@code main}. */
    private static Path bareRepository(Path bare) throws Exception {
        Path work = Files.createDirectories(dir.resolve(bare.getFileName() + "-work"));
        try (Git git =
                Git.init().setInitialBranch("main").setDirectory(work.toFile()).call()) {
            Files.writeString(work.resolve("README.md"), "KB\n");
            git.add().addFilepattern("README.md").call();
            git.commit()
                    .setMessage("Create the KB")
                    .setAuthor("kbsync", "kbsync@example.org")
                    .setCommitter("kbsync", "kbsync@example.org")
                    .call();
        }
        try (Git clone = Git.cloneRepository()
                .setBare(true)
                .setURI(work.toUri().toString())
                .setDirectory(bare.toFile())
                .call()) {
            return bare;
        }
    }
}
