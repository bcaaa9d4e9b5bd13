package dev.kbsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.config.ConfigKey;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.worker.process.WorkerConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deploy files cannot run here (no Docker engine, no cluster), so they are checked statically against the code:
 * YAML parses, every KBSYNC_* setting they name exists, the embedded configs load through the real loaders.
 */
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    /** Seconds a supervisor gives a worker's JVM past its {@code shutdown.grace} to exit by itself. */
    private static final long EXIT_MARGIN = 15;
    /** Launcher-level variables that are not config keys of either process. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("KBSYNC_CONFIG", "KBSYNC_LOG_LEVEL");
    /** A KBSYNC_ name that is set (not a ${...} reference). */
    private static final Pattern SETTING = Pattern.compile("(?<![{A-Z_])(KBSYNC_[A-Z0-9_]+)");

    @Test
    void shouldParseEveryYamlFile() throws IOException {
        for (Path file : files(".yaml", ".yml")) {
            List<Object> documents = new ArrayList<>();
            yaml().loadAll(Files.readString(file)).forEach(documents::add);
            assertThat(documents).as(file.toString()).isNotEmpty().doesNotContainNull();
        }
    }

    @Test
    void shouldNameOnlySettingsThatExistInTheCode() throws IOException {
        Set<String> known = Stream.concat(
                        Arrays.stream(ConfigKey.values()).map(ConfigKey::env),
                        Arrays.stream(WorkerConfigKey.values()).map(WorkerConfigKey::env))
                .collect(Collectors.toSet());
        for (Path file : files(".yaml", ".yml", ".service", ".example", "Dockerfile")) {
            Matcher m = SETTING.matcher(Files.readString(file));
            while (m.find()) {
                assertThat(known.contains(m.group(1)) || LAUNCHER_VARIABLES.contains(m.group(1)))
                        .as(file + " names " + m.group(1) + ", which is no coordinator or worker setting")
                        .isTrue();
            }
        }
    }

    @Test
    void shouldLoadTheRedissonConfigs() throws IOException {
        assertThat(Config.fromYAML(DEPLOY.resolve("redisson-sentinel.yaml").toFile())
                        .useSentinelServers()
                        .getMasterName())
                .isEqualTo("kbsync");
        ClusterServersConfig cluster = Config.fromYAML(
                        DEPLOY.resolve("redisson-cluster.yaml").toFile())
                .useClusterServers();
        assertThat(cluster.getNodeAddresses()).hasSize(3);
        assertThat(cluster.isCheckSlotsCoverage())
                .as("a coordinator starts while a shard has no master")
                .isFalse();
        assertThat(Config.fromYAML(configMapEntry("redisson.yaml"))
                        .useSentinelServers()
                        .getSentinelAddresses())
                .hasSize(3);
    }

    @Test
    void shouldLoadTheKubernetesCoordinatorConfigThroughTheRealLoader(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("coordinator.yaml"), configMapEntry("coordinator.yaml"));
        Path redisson = Files.writeString(dir.resolve("redisson.yaml"), configMapEntry("redisson.yaml"));
        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.of(file),
                Map.of(
                        "KBSYNC_TOKENS",
                        "admin:an-admin-token-0001,worker:a-worker-token-0001",
                        "KBSYNC_REDIS_CONFIG_FILE",
                        redisson.toString()));
        assertThat(config.http().port()).isEqualTo(8080);
        assertThat(config.kbs()).hasSize(1);
    }

    /**
     * The systemd coordinator starts from the shipped examples: its unit's {@code --config} file has one, which loads
     * through the real loader with the env example's settings and the Redisson file it names copied from
     * {@code deploy/}, and it listens where the worker example reaches it (not on loopback only).
     */
    @Test
    void shouldStartTheSystemdCoordinatorFromTheShippedExamples(@TempDir Path dir) throws IOException {
        String unit = Files.readString(DEPLOY.resolve("systemd/kbsync-coordinator.service"));
        Matcher config = Pattern.compile("--config (\\S+)").matcher(unit);
        assertThat(config.find()).as("the unit's --config").isTrue();
        Path example =
                DEPLOY.resolve("systemd").resolve(Path.of(config.group(1)).getFileName() + ".example");
        assertThat(example).as("an example of " + config.group(1)).exists();

        Map<String, String> env = new java.util.HashMap<>();
        for (String line : Files.readAllLines(DEPLOY.resolve("systemd/coordinator.env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        String redisson = env.get("KBSYNC_REDIS_CONFIG_FILE");
        if (redisson != null) {
            Path named = Path.of(redisson).getFileName();
            assertThat(DEPLOY.resolve(named))
                    .as("a shipped " + named + " for KBSYNC_REDIS_CONFIG_FILE")
                    .exists();
            env.put(
                    "KBSYNC_REDIS_CONFIG_FILE",
                    Files.copy(DEPLOY.resolve(named), dir.resolve(named)).toString());
        }
        env.put("KBSYNC_DEGRADED_JOURNAL_DIR", dir.resolve("journal").toString());
        Path yaml = Files.copy(example, dir.resolve("coordinator.yaml"));

        CoordinatorConfig loaded = CoordinatorConfig.load(Optional.of(yaml), env);

        String workers = Files.readString(DEPLOY.resolve("systemd/worker.env.example"));
        assertThat(workers)
                .contains("KBSYNC_COORDINATOR_URL=http://coordinator.internal:"
                        + loaded.http().port());
        assertThat(dev.kbsync.coordinator.config.Loopback.is(loaded.http().host()))
                .as("http.host " + loaded.http().host() + ": workers on other hosts reach it")
                .isFalse();
    }

    @Test
    void shouldUseTheSamePortsAndImageEverywhere() throws IOException {
        String compose = Files.readString(DEPLOY.resolve("docker-compose.yml"));
        String k8s = Files.readString(DEPLOY.resolve("k8s/kbsync.yaml"));
        assertThat(compose).contains("KBSYNC_HTTP_PORT: \"8080\"").contains("KBSYNC_WORKER_HTTP_PORT: \"9090\"");
        assertThat(k8s).contains("containerPort: 8080").contains("containerPort: 9090");
        assertThat(compose).contains("image: kbsync:0.1.0");
        assertThat(k8s).contains("image: kbsync:0.1.0");
        assertThat(Files.readString(DEPLOY.resolve("docker/Dockerfile"))).contains("EXPOSE 8080 9090");
    }

    /**
     * Kubernetes takes a pod out of rotation when its readiness probe fails and restarts it when its liveness probe
     * does: readiness asks /readyz (a coordinator without Redis, a worker stopping or whose cache disk is low), liveness
     * /healthz (the process answers), for the coordinator and the worker alike.
     */
    @Test
    void shouldProbeReadinessWithReadyzAndLivenessWithHealthzInKubernetes() throws IOException {
        String k8s = Files.readString(DEPLOY.resolve("k8s/kbsync.yaml"));
        assertThat(probes(k8s, "readinessProbe:"))
                .hasSize(2)
                .allSatisfy(probe -> assertThat(probe).startsWith("httpGet: {path: /readyz"));
        assertThat(probes(k8s, "livenessProbe:"))
                .hasSize(2)
                .allSatisfy(probe -> assertThat(probe).startsWith("httpGet: {path: /healthz"));
    }

    /**
     * The operator creates the Secret {@code kbsync-secrets} with real values before applying the manifest: a Secret in
     * the applied file would overwrite it with placeholders on every {@code kubectl apply}, and the coordinator would
     * start with a publicly known admin token. The manifest only names the Secret and says how to create it.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldNotOverwriteTheOperatorsSecretInKubernetes() throws IOException {
        String k8s = Files.readString(DEPLOY.resolve("k8s/kbsync.yaml"));
        for (Object doc : yaml().loadAll(k8s)) {
            assertThat(((Map<String, Object>) doc).get("kind"))
                    .as("a document of deploy/k8s/kbsync.yaml")
                    .isNotEqualTo("Secret");
        }
        assertThat(k8s)
                .contains("secretKeyRef: {name: kbsync-secrets")
                .contains("kubectl -n kbsync create secret generic kbsync-secrets")
                .doesNotContain("replace-me");
    }

    /** What follows each {@code key} in {@code yaml}, from its next line on. */
    private static List<String> probes(String yaml, String key) {
        return Arrays.stream(yaml.split(java.util.regex.Pattern.quote(key)))
                .skip(1)
                .map(String::strip)
                .toList();
    }

    /** Every Compose service has a healthcheck, and services start only once what they depend on is healthy. */
    @Test
    @SuppressWarnings("unchecked")
    void shouldCheckHealthAndStartInOrderInCompose() throws IOException {
        Map<String, Object> compose = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).isNotEmpty();
        services.forEach((name, value) -> {
            Map<String, Object> service = (Map<String, Object>) value;
            assertThat(service).as(name + " healthcheck").containsKey("healthcheck");
            Object dependsOn = service.get("depends_on");
            if (dependsOn != null) {
                assertThat(dependsOn).as(name + " depends_on").isInstanceOf(Map.class);
                ((Map<String, Object>) dependsOn).forEach((dependency, condition) -> {
                    assertThat(services).as(name + " depends on a service").containsKey(dependency);
                    assertThat(((Map<String, Object>) condition).get("condition"))
                            .as(name + " waits for " + dependency)
                            .isEqualTo("service_healthy");
                });
            }
        });
    }

    /**
     * A coordinator or worker out of memory exits ({@code -XX:+ExitOnOutOfMemoryError}, docs/operations.md) and relies
     * on its supervisor to start it again: every Compose service restarts unless stopped on purpose.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldRestartEveryComposeServiceThatExits() throws IOException {
        Map<String, Object> compose = yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services.keySet()).anyMatch(name -> name.startsWith("coordinator"));
        assertThat(services.keySet()).anyMatch(name -> name.startsWith("worker"));
        services.forEach((name, service) -> assertThat(((Map<String, Object>) service).get("restart"))
                .as(name + " restart")
                .isEqualTo("unless-stopped"));
    }

    /**
     * Each Compose worker keeps its checkouts on a named volume of its own (one cache per worker: a cache is one
     * worker's), so that a recreated container (an upgrade, {@code down} then {@code up}) does not clone every KB
     * again. The volume is mounted on a directory the image makes and gives to its user: a new named volume takes the
     * ownership of the image's directory, where one on a path the image lacks would be root's, and the worker (uid
     * 10001) would refuse its cache at start.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepEachComposeWorkersCheckoutsOnAVolumeOfItsOwnThatItsUserOwns() throws IOException {
        Map<String, Object> compose = yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Map<String, Object> volumes = (Map<String, Object>) compose.get("volumes");
        List<String> used = new ArrayList<>();
        services.forEach((name, value) -> {
            if (!name.startsWith("worker")) {
                return;
            }
            Map<String, Object> service = (Map<String, Object>) value;
            String cache = (String) ((Map<String, Object>) service.get("environment")).get("KBSYNC_CACHE_DIR");
            List<String> mounts = (List<String>) service.getOrDefault("volumes", List.of());
            assertThat(mounts).as(name + " volumes").anyMatch(m -> m.endsWith(":" + cache));
            String volume = mounts.stream()
                    .filter(m -> m.endsWith(":" + cache))
                    .findFirst()
                    .orElseThrow()
                    .split(":")[0];
            assertThat(volumes).as("named volumes").containsKey(volume);
            used.add(volume);
        });
        assertThat(used)
                .as("one cache volume per worker")
                .doesNotHaveDuplicates()
                .hasSizeGreaterThan(1);
        assertThat(Files.readString(DEPLOY.resolve("docker/Dockerfile")))
                .contains("install -d -o kbsync -g kbsync /var/lib/kbsync/checkouts");
        assertThat(Files.readString(DEPLOY.resolve("docker-compose.yml")))
                .contains("KBSYNC_CACHE_DIR: /var/lib/kbsync/checkouts");
    }

    @Test
    void shouldStartEverySystemdUnitThroughTheLauncher() throws IOException {
        for (Path unit : files(".service")) {
            String text = Files.readString(unit);
            assertThat(text).as(unit.toString()).contains("[Unit]", "[Service]", "[Install]");
            assertThat(text)
                    .as(unit.toString())
                    .containsPattern(
                            "ExecStart=/usr/bin/java( -XX:\\S+)* -jar /opt/kbsync/kbsync.jar (coordinator|worker)");
        }
    }

    /**
     * A coordinator or worker stopped by SIGTERM exits 143 (128 + the signal) once it has stopped cleanly: systemd
     * must count that as a clean stop, or every {@code systemctl stop} leaves the unit failed (and a SIGTERM from
     * elsewhere restarts it under {@code Restart=on-failure}). 124 (a coordinator's stop cut short at its bound) stays
     * a failure.
     */
    @Test
    void shouldCountAStopBySigtermAsCleanInEverySystemdUnit() throws IOException {
        for (Path unit : files(".service")) {
            assertThat(Files.readAllLines(unit))
                    .as(unit.toString())
                    .contains("SuccessExitStatus=143")
                    .noneMatch(line -> line.startsWith("SuccessExitStatus") && line.contains("124"));
        }
    }

    /**
     * {@code systemctl stop} of a worker signals its JVM only ({@code KillMode=mixed}): under systemd's default every
     * process of the unit gets SIGTERM at once, so a running agent died at the stop's first moment and its job failed
     * {@code AGENT_FAILED} for good, instead of finishing within the worker's grace (or being given back
     * {@code WORKER_SHUTDOWN}, run again elsewhere). Whatever is left at {@code TimeoutStopSec} is still killed.
     */
    @Test
    void shouldSignalOnlyTheWorkersJvmOnStopSoThatItsAgentsFollowItsGrace() throws IOException {
        for (Path unit : files(".service")) {
            if (unit.getFileName().toString().startsWith("kbsync-worker")) {
                assertThat(Files.readAllLines(unit)).as(unit.toString()).contains("KillMode=mixed");
            }
        }
    }

    /**
     * A bad configuration (exit 2) fails the same way at every start: systemd must not restart it every
     * {@code RestartSec} forever, but leave the unit failed with the {@code error:} line in its journal. What may pass
     * by itself still restarts: out of memory under {@code -XX:+ExitOnOutOfMemoryError} (the JVM exits 3), a port
     * still held (7), Redis not answering (9), an unexpected failure (70), a stop past its bound (124).
     */
    @Test
    void shouldNotRestartABadConfigurationInEverySystemdUnit() throws IOException {
        for (Path unit : files(".service")) {
            List<String> prevented = Files.readAllLines(unit).stream()
                    .filter(line -> line.startsWith("RestartPreventExitStatus="))
                    .flatMap(line ->
                            Arrays.stream(line.substring(line.indexOf('=') + 1).split("\\s+")))
                    .toList();
            assertThat(prevented)
                    .as(unit + " RestartPreventExitStatus")
                    .contains("2")
                    .doesNotContain("3", "7", "9", "11", "70", "124");
        }
    }

    /**
     * Each supervisor gives a coordinator's stop more time than its default {@code shutdown.timeoutSeconds}, so that the
     * coordinator ends a stop past its bound itself (a WARN, exit 124) instead of being SIGKILLed.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldGiveTheCoordinatorsStopMoreTimeThanItsOwnBound() throws IOException {
        long bound = Long.parseLong(ConfigKey.SHUTDOWN_TIMEOUT_SECONDS.defaultText());
        String unit = Files.readString(DEPLOY.resolve("systemd/kbsync-coordinator.service"));
        Matcher stopSec = Pattern.compile("TimeoutStopSec=(\\d+)").matcher(unit);
        assertThat(stopSec.find())
                .as("TimeoutStopSec in the coordinator's unit")
                .isTrue();
        assertThat(Long.parseLong(stopSec.group(1))).isGreaterThan(bound);
        for (Object doc : yaml().loadAll(Files.readString(DEPLOY.resolve("k8s/kbsync.yaml")))) {
            Map<String, Object> map = (Map<String, Object>) doc;
            if ("Deployment".equals(map.get("kind"))
                    && "kbsync-coordinator".equals(((Map<String, Object>) map.get("metadata")).get("name"))) {
                Map<String, Object> pod = (Map<String, Object>)
                        ((Map<String, Object>) ((Map<String, Object>) map.get("spec")).get("template")).get("spec");
                assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
                        .as("the coordinator's terminationGracePeriodSeconds")
                        .isGreaterThan(bound);
            }
        }
        Map<String, Object> compose = yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        ((Map<String, Object>) compose.get("services")).forEach((name, service) -> {
            if (name.startsWith("coordinator")) {
                String grace = (String) ((Map<String, Object>) service).get("stop_grace_period");
                assertThat(grace).as(name + " stop_grace_period").matches("\\d+s");
                assertThat(Long.parseLong(grace.substring(0, grace.length() - 1)))
                        .isGreaterThan(bound);
            }
        });
    }

    /**
     * Each supervisor gives a worker's stop its {@code shutdown.grace} (the bound of its whole stop, as the file sets it
     * or by default) and {@link #EXIT_MARGIN} more for the JVM's own exit, so that a worker ends a stop past its bound
     * itself (a WARN naming what was under way, exit 124) instead of being SIGKILLed.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldGiveTheWorkersStopItsGraceAndAMargin() throws IOException {
        long defaultGrace = seconds(WorkerConfigKey.SHUTDOWN_GRACE.defaultText());
        for (String name : List.of("kbsync-worker.service", "kbsync-worker@.service")) {
            String unit = Files.readString(DEPLOY.resolve("systemd/" + name));
            Matcher stopSec = Pattern.compile("TimeoutStopSec=(\\d+)").matcher(unit);
            assertThat(stopSec.find()).as("TimeoutStopSec in " + name).isTrue();
            assertThat(Long.parseLong(stopSec.group(1))).as(name).isGreaterThanOrEqualTo(defaultGrace + EXIT_MARGIN);
        }
        boolean found = false;
        for (Object doc : yaml().loadAll(Files.readString(DEPLOY.resolve("k8s/kbsync.yaml")))) {
            Map<String, Object> map = (Map<String, Object>) doc;
            if ("Deployment".equals(map.get("kind"))
                    && "kbsync-worker".equals(((Map<String, Object>) map.get("metadata")).get("name"))) {
                Map<String, Object> pod = (Map<String, Object>)
                        ((Map<String, Object>) ((Map<String, Object>) map.get("spec")).get("template")).get("spec");
                long grace = defaultGrace;
                for (Object container : (List<Object>) pod.get("containers")) {
                    for (Object env : (List<Object>) ((Map<String, Object>) container).get("env")) {
                        Map<String, Object> var = (Map<String, Object>) env;
                        if ("KBSYNC_SHUTDOWN_GRACE".equals(var.get("name"))) {
                            grace = seconds((String) var.get("value"));
                        }
                    }
                }
                assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
                        .as("the worker's terminationGracePeriodSeconds")
                        .isGreaterThanOrEqualTo(grace + EXIT_MARGIN);
                found = true;
            }
        }
        assertThat(found).as("a kbsync-worker Deployment").isTrue();
        Map<String, Object> compose = yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        ((Map<String, Object>) compose.get("services")).forEach((name, service) -> {
            if (name.startsWith("worker")) {
                Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) service).get("environment");
                long grace = env.containsKey("KBSYNC_SHUTDOWN_GRACE")
                        ? seconds((String) env.get("KBSYNC_SHUTDOWN_GRACE"))
                        : defaultGrace;
                String period = (String) ((Map<String, Object>) service).get("stop_grace_period");
                assertThat(period).as(name + " stop_grace_period").isNotNull().matches("\\d+s");
                assertThat(seconds(period)).as(name).isGreaterThanOrEqualTo(grace + EXIT_MARGIN);
            }
        });
    }

    /**
     * Compose's header says to keep the real tokens in {@code deploy/.env} and never commit them: git ignores that
     * file. The image is built from the repository root, so a {@code .dockerignore} keeps what the image does not need
     * (.git, every target/ but the jar, a {@code kbsync up} data directory, deploy/.env) out of the build context,
     * while every file the Dockerfile copies stays in it.
     */
    @Test
    void shouldKeepSecretsOutOfGitAndTheDockerBuildContext() throws IOException {
        Path root = DEPLOY.getParent();
        assertThat(Files.readAllLines(root.resolve(".gitignore")).stream().map(String::strip))
                .as(".gitignore")
                .contains("deploy/.env");
        Path dockerignore = root.resolve(".dockerignore");
        assertThat(dockerignore).as(".dockerignore at the repository root").exists();
        List<String> rules = Files.readAllLines(dockerignore).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
        for (String sent : List.of(
                ".git/config",
                "deploy/.env",
                ".kbsync/redis/appendonly.aof",
                "worker/target/classes/x.class",
                "dist/target/classes/x.class")) {
            assertThat(dockerIgnores(rules, sent))
                    .as(sent + " in the build context")
                    .isTrue();
        }
        Matcher copy = Pattern.compile("(?m)^COPY\\s+(\\S+)\\s")
                .matcher(Files.readString(DEPLOY.resolve("docker/Dockerfile")));
        int copies = 0;
        while (copy.find()) {
            copies++;
            assertThat(dockerIgnores(rules, copy.group(1)))
                    .as(copy.group(1) + ", copied by the Dockerfile, in the build context")
                    .isFalse();
        }
        assertThat(copies).as("COPY lines in the Dockerfile").isPositive();
    }

    /**
     * Whether Docker leaves {@code path} out of the build context under {@code rules}: the last rule matching the path
     * or one of its parent directories decides, {@code !} includes again ({@code **} any number of directories).
     */
    private static boolean dockerIgnores(List<String> rules, String path) {
        boolean ignored = false;
        for (String rule : rules) {
            boolean include = rule.startsWith("!");
            java.nio.file.PathMatcher matcher = java.nio.file.FileSystems.getDefault()
                    .getPathMatcher("glob:" + (include ? rule.substring(1) : rule).replaceAll("^/|/$", ""));
            for (Path p = Path.of(path); p != null; p = p.getParent()) {
                if (matcher.matches(p)) {
                    ignored = !include;
                    break;
                }
            }
        }
        return ignored;
    }

    /** Whole seconds of a duration written as {@code 60s}. */
    private static long seconds(String text) {
        assertThat(text).as("a duration in whole seconds").matches("\\d+s");
        return Long.parseLong(text.substring(0, text.length() - 1));
    }

    @SuppressWarnings("unchecked")
    private static String configMapEntry(String key) throws IOException {
        for (Object doc : yaml().loadAll(Files.readString(DEPLOY.resolve("k8s/kbsync.yaml")))) {
            Map<String, Object> map = (Map<String, Object>) doc;
            if ("ConfigMap".equals(map.get("kind"))) {
                return (String) ((Map<String, Object>) map.get("data")).get(key);
            }
        }
        throw new AssertionError("no ConfigMap in deploy/k8s/kbsync.yaml");
    }

    private static List<Path> files(String... endings) throws IOException {
        try (Stream<Path> paths = Files.walk(DEPLOY)) {
            return paths.filter(Files::isRegularFile)
                    .filter(p -> Arrays.stream(endings)
                            .anyMatch(e -> p.getFileName().toString().endsWith(e)))
                    .toList();
        }
    }

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }
}
