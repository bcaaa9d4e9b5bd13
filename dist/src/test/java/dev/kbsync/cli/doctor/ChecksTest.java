package dev.kbsync.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.git.TokenHosts;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.process.WorkerConfigLoader;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksTest {
    @Test
    void shouldJudgeTheClockSkewEitherWay() {
        assertThat(Clock.judge(12, Duration.ofMillis(3)))
                .isEqualTo(Check.pass("clock skew", "Redis is 12 ms ahead of this host (round trip 3 ms)"));
        assertThat(Clock.judge(-800, Duration.ofMillis(1)).status()).isEqualTo(Check.Status.WARN);
        assertThat(Clock.judge(-6_000, Duration.ofMillis(1)))
                .isEqualTo(Check.fail(
                        "clock skew",
                        "Redis is 6000 ms behind this host (round trip 1 ms); synchronise both clocks (NTP)"));
    }

    @Test
    void shouldWarnAboutARedisOlderThanTheTestedOnes() {
        assertThat(settings(Map.of("redis_version", "7.2.4")).version().status())
                .isEqualTo(Check.Status.PASS);
        assertThat(settings(Map.of("redis_version", "6.2.6")).version().status())
                .isEqualTo(Check.Status.PASS);
        assertThat(settings(Map.of("redis_version", "6.0.16")).version().status())
                .isEqualTo(Check.Status.WARN);
        assertThat(settings(Map.of()).version().status()).isEqualTo(Check.Status.WARN);
    }

    @Test
    void shouldAskForAppendfsyncEverysecOrAlways() {
        Check check = new RedisSettings("127.0.0.1:6379", Map.of("aof_enabled", "1"), "no").persistence();

        assertThat(check.status()).isEqualTo(Check.Status.WARN);
        assertThat(check.detail()).startsWith("AOF with appendfsync no");
    }

    @Test
    void shouldFailAConnectionToAReplica() {
        assertThat(settings(Map.of("role", "slave")).replicas())
                .isEqualTo(Check.fail("redis replication", "connected to a slave, not a master: writes will fail"));
    }

    @Test
    void shouldPrintOneAlignedLinePerCheck() {
        assertThat(Check.warn("redis replication", "no replica").line())
                .isEqualTo("warn  redis replication          no replica");
    }

    @Test
    void shouldWarnWhenAWorkersPollInFlightDoesNotFitItsStop() {
        Check tight = StopCheck.run(WorkerConfigLoader.load(Map.of("KBSYNC_SHUTDOWN_GRACE", "10s")));
        assertThat(tight.status()).isEqualTo(Check.Status.WARN);
        assertThat(tight.detail()).contains("set shutdown.grace to at least 27s");
        assertThat(StopCheck.run(WorkerConfigLoader.load(Map.of())))
                .isEqualTo(Check.pass(
                        "worker stop",
                        "at most 60s (shutdown.grace); a poll in flight (poll.wait 20s) fits its first 45s"));
    }

    /**
     * The cache disk fails where the worker itself stops taking jobs (below {@code cache.minFreeMegabytes}), not at a
     * fixed 100 MB: here 1 TiB, more than this disk has free.
     */
    @Test
    void shouldFailTheCacheDiskBelowTheWorkersMinimumFreeSpace(@TempDir Path dir) {
        Check check = HostChecks.cacheDisk(WorkerConfigLoader.load(
                Map.of("KBSYNC_CACHE_DIR", dir.toString(), "KBSYNC_CACHE_MIN_FREE_MEGABYTES", "1048576")));

        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("below cache.minFreeMegabytes (1048576 MB)");
    }

    @Test
    void shouldJudgeTheCacheDiskByTheWorkersMinimumFreeSpace() {
        Path dir = Path.of("/var/cache/kbsync");
        long mb = 1L << 20;
        long total = 100L << 30;

        assertThat(HostChecks.cacheDisk(dir, 50 * mb, total, 100))
                .isEqualTo(Check.fail(
                        "cache dir disk space",
                        "/var/cache/kbsync: 50 MB free of 100.0 GB, below cache.minFreeMegabytes (100 MB): the worker"
                                + " takes no jobs until space is freed"));
        assertThat(HostChecks.cacheDisk(dir, 1536 * mb, total, 2048).status()).isEqualTo(Check.Status.FAIL);
        // 0 = off: never a failure for space, only the warning
        assertThat(HostChecks.cacheDisk(dir, 50 * mb, total, 0).status()).isEqualTo(Check.Status.WARN);
        assertThat(HostChecks.cacheDisk(dir, 500 * mb, total, 100).status()).isEqualTo(Check.Status.WARN);
        // within twice the minimum: a warning even above 1 GB
        Check near = HostChecks.cacheDisk(dir, 3072 * mb, total, 2048);
        assertThat(near.status()).isEqualTo(Check.Status.WARN);
        assertThat(near.detail()).contains("less than 4.0 GB, near cache.minFreeMegabytes (2048 MB)");
        assertThat(HostChecks.cacheDisk(dir, 5L << 30, total, 2048).status()).isEqualTo(Check.Status.PASS);
        assertThat(HostChecks.cacheDisk(dir, 2L << 30, total, 100))
                .isEqualTo(Check.pass("cache dir disk space", "/var/cache/kbsync: 2.0 GB free of 100.0 GB"));
    }

    @Test
    void shouldWarnWhileTheGenericGitTokenGoesToAnyHost() {
        Map<String, String> env = Map.of("KBSYNC_GIT_TOKEN", "generic-secret-2");
        Optional<TokenHosts> hosts = Optional.of(TokenHosts.parse(List.of("git.example.com", "*.corp.example")));

        Check anyHost = GitTokenCheck.run(Optional.empty(), resolver(Optional.empty(), env));
        assertThat(anyHost.status()).isEqualTo(Check.Status.WARN);
        assertThat(anyHost.detail())
                .startsWith("KBSYNC_GIT_TOKEN is offered to any https:// host")
                .contains("credentials.gitTokenHosts")
                .doesNotContain("generic-secret-2");
        assertThat(GitTokenCheck.run(hosts, resolver(hosts, env)))
                .isEqualTo(
                        Check.pass("git token hosts", "KBSYNC_GIT_TOKEN goes only to git.example.com, *.corp.example"));
        assertThat(GitTokenCheck.run(Optional.empty(), resolver(Optional.empty(), Map.of())))
                .isEqualTo(Check.skip("git token hosts", "KBSYNC_GIT_TOKEN is not set"));
    }

    @Test
    void shouldNotShowTheRedisPassword() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_AUTH_ENABLED",
                        "false",
                        "KBSYNC_REDIS_ADDRESS",
                        "redis://:redis-secret-7@127.0.0.1:" + closed));

        List<Check> checks = new RedisChecks(Duration.ofSeconds(1)).run(config.redis());

        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.status()).isEqualTo(Check.Status.FAIL);
            assertThat(check.line()).contains("127.0.0.1:" + closed).doesNotContain("redis-secret-7");
        });
    }

    /** The remote check asks the worker's credential layer: an unlisted host is shown no token, and the line says so. */
    @Test
    void shouldProbeAnUnlistedHostWithoutTheGenericToken() throws Exception {
        Map<String, String> env = Map.of("KBSYNC_GIT_TOKEN", "generic-secret-3");
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Optional<TokenHosts> hosts = Optional.of(TokenHosts.parse(List.of("127.0.0.1:" + closed)));
        String listed = "https://127.0.0.1:" + closed + "/kb.git";
        String unlisted = "https://localhost:" + closed + "/kb.git";

        Check toListed = RemoteCheck.run(kb(listed), resolver(hosts, env), Duration.ofSeconds(2));
        Check toUnlisted = RemoteCheck.run(kb(unlisted), resolver(hosts, env), Duration.ofSeconds(2));

        assertThat(toListed.detail()).startsWith(listed + " (as git): ");
        assertThat(toUnlisted.status()).isEqualTo(Check.Status.FAIL);
        assertThat(toUnlisted.detail())
                .startsWith(unlisted + " (no credential for this host): ")
                .doesNotContain("generic-secret-3");
    }

    private static CredentialResolver resolver(Optional<TokenHosts> hosts, Map<String, String> env) {
        return new CredentialResolver(
                new CredentialSettings(Optional.empty(), List.of(Path.of("/")), "", hosts),
                env,
                java.time.Clock.systemUTC());
    }

    private static KbConfig kb(String remote) {
        return new KbConfig(KbId.of("kb"), remote, "main");
    }

    private static RedisSettings settings(Map<String, String> info) {
        return new RedisSettings("127.0.0.1:6379", info, "everysec");
    }
}
