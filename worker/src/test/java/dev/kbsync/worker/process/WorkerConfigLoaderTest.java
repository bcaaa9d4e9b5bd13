package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.config.ConfigException;
import dev.kbsync.testing.TestCertificates;
import dev.kbsync.worker.fallback.FallbackMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void shouldUseDefaultsWhenNothingIsSet() {
        WorkerConfig config = WorkerConfigLoader.load(Map.of());

        assertThat(config.coordinatorUrl().toString()).isEqualTo("http://127.0.0.1:8080");
        assertThat(config.concurrency()).isEqualTo(2);
        assertThat(config.pushRetries()).isEqualTo(5);
        assertThat(config.batchMax()).isEqualTo(16);
        assertThat(config.cacheMinFreeMegabytes()).isEqualTo(100);
        assertThat(config.cacheMaxOpenCheckouts()).isEqualTo(64);
        assertThat(config.fallback()).isEqualTo(FallbackMode.LOCAL);
        assertThat(config.agent()).isEmpty();
        assertThat(config.workerId()).endsWith("-" + ProcessHandle.current().pid());
    }

    @Test
    void shouldGiveTheClientAConnectionPerSlotBesidesItsLongPolls() {
        WorkerConfig wide = WorkerConfigLoader.load(Map.of(
                "KBSYNC_COORDINATOR_URL",
                "http://127.0.0.1:8080",
                "KBSYNC_WORKER_ID",
                "w",
                "KBSYNC_CONCURRENCY",
                "16"));

        // every slot may hold a connection in its long poll while another slot's heartbeat or result needs one: a
        // call waiting for a free connection past the connect timeout was taken for a coordinator that is gone
        assertThat(wide.clientOptions().maxConnections()).isGreaterThanOrEqualTo(2 * 16);
        assertThat(WorkerConfigLoader.load(
                                Map.of("KBSYNC_COORDINATOR_URL", "http://127.0.0.1:8080", "KBSYNC_WORKER_ID", "w"))
                        .clientOptions()
                        .maxConnections())
                .isGreaterThanOrEqualTo(8);
    }

    @Test
    void shouldRefuseAnAgentTimeoutNotBelowTheMaximumHold() {
        assertThatThrownBy(() -> WorkerConfigLoader.load(
                        Map.of("KBSYNC_AGENT_COMMAND", "/opt/agent", "KBSYNC_AGENT_TIMEOUT", "10m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("agent.timeout: must be below lease.maxHold less lease.deadlineMargin");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of(
                        "KBSYNC_AGENT_COMMAND", "/opt/agent",
                        "KBSYNC_AGENT_TIMEOUT", "60s",
                        "KBSYNC_LEASE_MAX_HOLD", "62s")))
                .isInstanceOf(ConfigException.class);

        WorkerConfig config = WorkerConfigLoader.load(Map.of(
                "KBSYNC_AGENT_COMMAND", "/opt/agent",
                "KBSYNC_AGENT_TIMEOUT", "20m",
                "KBSYNC_LEASE_MAX_HOLD", "30m",
                "KBSYNC_LEASE_DEADLINE_MARGIN", "10s"));
        assertThat(config.maxHold()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.deadlineMargin()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldLetTheEnvironmentOverrideTheYamlFile() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("worker.yaml"), """
                coordinator:
                  url: http://coord:8080
                concurrency: 4
                agent:
                  command: [/opt/agent, --fast]
                  timeout: 90s
                fallback: fail
                """);

        WorkerConfig config = WorkerConfigLoader.load(Map.of(
                "KBSYNC_CONFIG",
                yaml.toString(),
                "KBSYNC_CONCURRENCY",
                "8",
                "KBSYNC_COORDINATOR_TOKEN",
                "t0k3n-secret"));

        assertThat(config.coordinatorUrl().toString()).isEqualTo("http://coord:8080");
        assertThat(config.concurrency()).isEqualTo(8);
        assertThat(config.agent().orElseThrow().argv()).isEqualTo(List.of("/opt/agent", "--fast"));
        assertThat(config.agent().orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.fallback()).isEqualTo(FallbackMode.FAIL);
        assertThat(config.toString()).doesNotContain("t0k3n-secret");
    }

    @Test
    void shouldTakeSeveralCoordinatorsInOrderOfPreference() throws IOException {
        WorkerConfig fromEnv = WorkerConfigLoader.load(
                Map.of("KBSYNC_COORDINATOR_URL", "http://coord-a:8080, http://coord-b:8080/kbsync,"));
        Path yaml = Files.writeString(tmp.resolve("worker.yaml"), """
                coordinator:
                  url: [https://a.internal:8443, https://b.internal:8443]
                  caFile: %s
                """.formatted(
                        TestCertificates.ca(tmp, "ca").cert()));
        WorkerConfig fromYaml = WorkerConfigLoader.load(Map.of("KBSYNC_CONFIG", yaml.toString()));

        assertThat(fromEnv.coordinatorUrls())
                .extracting(URI::toString)
                .containsExactly("http://coord-a:8080", "http://coord-b:8080/kbsync");
        assertThat(fromEnv.coordinatorUrl().toString()).isEqualTo("http://coord-a:8080");
        assertThat(fromEnv.clientOptions().urls()).isEqualTo(fromEnv.coordinatorUrls());
        assertThat(fromYaml.coordinatorUrls())
                .extracting(URI::toString)
                .containsExactly("https://a.internal:8443", "https://b.internal:8443");
        assertThat(fromYaml.clientOptions().caFile()).isPresent();
    }

    /** A worker with a CA file it cannot use would run on and call every coordinator unreachable. */
    @Test
    void shouldRefuseACaFileThatHoldsNoCertificate() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "");
        Path junk = Files.writeString(tmp.resolve("junk.pem"), "not a certificate\n");
        for (Path ca : List.of(empty, junk, tmp.resolve("missing.pem"))) {
            assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of(
                            "KBSYNC_COORDINATOR_URL", "https://a:8443", "KBSYNC_COORDINATOR_CA_FILE", ca.toString())))
                    .as(ca.toString())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("coordinator.caFile: " + ca);
        }
    }

    @Test
    void shouldRejectABadListOfCoordinators() throws IOException {
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_URL", "http://a, ftp://b")))
                .hasMessage("coordinator.url: must be http(s), got \"ftp://b\"");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_URL", "http://a,http://a")))
                .hasMessageStartingWith("coordinator.url: lists a coordinator twice");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_URL", " , ")))
                .hasMessage("coordinator.url: must name at least one coordinator");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of(
                        "KBSYNC_COORDINATOR_URL",
                        "https://a:8443,http://b:8080",
                        "KBSYNC_COORDINATOR_CA_FILE",
                        TestCertificates.ca(tmp, "ca").cert().toString())))
                .hasMessageStartingWith("coordinator.caFile: is set, but coordinator.url is not https: http://b:8080");
    }

    @Test
    void shouldTrimTheTokenAndRefuseOneWithABlankInsideWithoutShowingIt() {
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_TOKEN", "s3cret-token\n"))
                        .clientOptions()
                        .token())
                .isEqualTo("s3cret-token");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_TOKEN", "s3cret\ntoken")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("coordinator.token: ")
                .message()
                .doesNotContain("s3cret");
    }

    @Test
    void shouldRefuseAShutdownGraceOutsideOneSecondToOneHour() {
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_SHUTDOWN_GRACE", "500ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("shutdown.grace: must be 1s-1h (the bound of the whole stop), got 500ms");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_SHUTDOWN_GRACE", "90m")))
                .hasMessage("shutdown.grace: must be 1s-1h (the bound of the whole stop), got 5400s");
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_SHUTDOWN_GRACE", "1s"))
                        .shutdownGrace())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_SHUTDOWN_GRACE", "60m"))
                        .shutdownGrace())
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldWarnWhenAPollInFlightDoesNotFitTheDrainOfTheGrace() {
        assertThat(WorkerConfigLoader.load(Map.of()).stopWarning()).isEmpty();
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_SHUTDOWN_GRACE", "10s"))
                        .stopWarning())
                .contains("shutdown.grace 10s leaves a poll in flight (poll.wait 20s) 7500ms to be answered in a"
                        + " stop whose drain does not reach the poll's coordinator: such a stop may be cut short (exit"
                        + " 124); set shutdown.grace to at least"
                        + " 27s or poll.wait to at most 7500ms");
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_SHUTDOWN_GRACE", "10s", "KBSYNC_POLL_WAIT", "5s"))
                        .stopWarning())
                .isEmpty();
    }

    @Test
    void shouldRejectInvalidValuesWithTheKeyName() {
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CONCURRENCY", "lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("concurrency: must be an integer, got \"lots\"");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CONCURRENCY", "0")))
                .hasMessage("concurrency: must be 1-64, got 0");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_FALLBACK", "maybe")))
                .hasMessageContaining("'local' or 'fail'");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_URL", "ftp://x")))
                .hasMessage("coordinator.url: must be http(s), got \"ftp://x\"");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_URL", "http://a b")))
                .hasMessage("coordinator.url: must be a URL, got \"http://a b\"");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_URL", "http://127.0.0.1:70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("coordinator.url: port must be 1-65535, got 70000");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_AUTHOR_EMAIL_DOMAIN", "a@b")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("author.email.domain: must be a bare domain");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_WORKER_ID", "a b")))
                .hasMessage("worker.id: must match [A-Za-z0-9._-]{1,100}, got \"a b\"");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_BATCH_MAX", "65")))
                .hasMessage("batch.max: must be 1-64, got 65");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_POLL_WAIT", "soon")))
                .hasMessage("poll.wait: must be a duration (30s, 500ms, 10m or PT30S), got \"soon\"");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CACHE_MIN_FREE_MEGABYTES", "-1")))
                .hasMessage("cache.minFreeMegabytes: must be 0-1048576, got -1");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CACHE_MAX_OPEN_CHECKOUTS", "0")))
                .hasMessage("cache.maxOpenCheckouts: must be 1-100000, got 0");
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_BATCH_MAX", "1")).batchMax())
                .isEqualTo(1);
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_CACHE_MIN_FREE_MEGABYTES", "0"))
                        .cacheMinFreeMegabytes())
                .isEqualTo(0);
    }

    @Test
    void shouldTakeTheHostsOfTheGenericGitTokenFromTheEnvironmentOrAYamlList() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("worker.yaml"), """
                credentials:
                  gitTokenHosts: [git.example.com, "*.corp.example"]
                """);

        assertThat(WorkerConfigLoader.load(Map.of()).credentials().gitTokenHosts())
                .isEmpty();
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_CONFIG", yaml.toString()))
                        .credentials()
                        .gitTokenHosts()
                        .map(Object::toString))
                .contains("git.example.com, *.corp.example");
        assertThat(WorkerConfigLoader.load(
                                Map.of("KBSYNC_CREDENTIALS_GIT_TOKEN_HOSTS", "git.example.com:8443, git.example.org"))
                        .credentials()
                        .gitTokenHosts()
                        .map(Object::toString))
                .contains("git.example.com:8443, git.example.org");
    }

    @Test
    void shouldRefuseAGitTokenHostThatIsNotAHostNamingTheKey() {
        for (String hosts : List.of("https://git.example.com", "git.example.com, *", "git.example.com:99999", " , ")) {
            assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CREDENTIALS_GIT_TOKEN_HOSTS", hosts)))
                    .as(hosts)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("credentials.gitTokenHosts: ");
        }
    }

    @Test
    void shouldRefuseUnknownYamlKeysNamingTheNearestValidOne() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("worker.yaml"), """
                coordinator:
                  ulr: http://coord:8080
                http:
                  port: 9191
                """);

        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CONFIG", yaml.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage(yaml + ": unknown key 'coordinator.ulr'; did you mean 'coordinator.url'?\n" + yaml
                        + ": unknown key 'http'; did you mean 'worker.http'?");
    }

    @Test
    void shouldKeepEachItemOfAYamlArgvListWhole() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("worker.yaml"), """
                agent:
                  command: [/opt/agent, --prompt, "two words"]
                note:
                  agent:
                    command: /opt/noter --fast
                """);

        WorkerConfig config = WorkerConfigLoader.load(Map.of("KBSYNC_CONFIG", yaml.toString()));

        assertThat(config.agent().orElseThrow().argv()).containsExactly("/opt/agent", "--prompt", "two words");
        assertThat(config.noteAgent().orElseThrow().argv()).containsExactly("/opt/noter", "--fast");
    }

    /**
     * A cache directory the worker cannot create or write is refused at load (exit 2, naming cache.dir): before, the
     * worker started, reported ready and failed every job INTERNAL. One that does not exist yet is fine when it can be
     * created. (A path under a regular file: the tests run as root, which writes in read-only directories.)
     */
    @Test
    void shouldRefuseACacheDirThatCannotBeCreatedOrWritten() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");

        assertThatThrownBy(() -> WorkerConfigLoader.load(
                        Map.of("KBSYNC_CACHE_DIR", file.resolve("checkouts").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cache.dir: cannot be created: " + file + " is not a directory");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CACHE_DIR", file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cache.dir: ");
        assertThat(WorkerConfigLoader.load(Map.of(
                                "KBSYNC_CACHE_DIR", tmp.resolve("new/checkouts").toString()))
                        .cacheDir())
                .isEqualTo(tmp.resolve("new/checkouts"));
    }
}
