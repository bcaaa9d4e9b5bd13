package dev.kbsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.coordinator.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

/** The deploy files cannot run here (no Docker, no cluster, no systemd): this test guards them statically. */
class DeployFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final Path WORKER_LOADER = Path.of(System.getProperty(
            "wl",
            ROOT.resolve("worker/src/main/java/dev/kbsync/worker/process/WorkerConfigLoader.java")
                    .toString()));
    /** Launcher client options (ClientOptions) and git credentials (GitCredentials), not config keys. */
    private static final Set<String> LAUNCHER_VARS =
            Set.of("KBSYNC_URL", "KBSYNC_TOKEN", "KBSYNC_GIT_USERNAME", "KBSYNC_GIT_TOKEN", "KBSYNC_CONFIG");

    @Test
    void shouldParseEveryYamlFileIncludingMultiDocumentManifests() throws IOException {
        List<Path> yamlFiles =
                files(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"));
        assertThat(yamlFiles).hasSizeGreaterThanOrEqualTo(7);
        for (Path file : yamlFiles) {
            assertThat(DeployYaml.documents(file))
                    .as(file.toString())
                    .isNotEmpty()
                    .doesNotContainNull();
        }
    }

    @Test
    void shouldNameOnlyCoordinatorKeysOrLauncherVariablesBesidesWorkerKeys() throws IOException {
        Set<String> known = new TreeSet<>(LAUNCHER_VARS);
        Arrays.stream(ConfigKey.values()).map(ConfigKey::env).forEach(known::add);
        Set<String> unknown = new TreeSet<>(envVarsNamedInDeploy());
        unknown.removeAll(known);
        assumeTrue(
                Files.exists(WORKER_LOADER) || unknown.isEmpty(),
                "worker config keys not merged yet; cannot check " + unknown);
        if (Files.exists(WORKER_LOADER)) {
            unknown.removeAll(workerEnvVars());
        }
        assertThat(unknown).as("KBSYNC_* variables that no component reads").isEmpty();
    }

    @Test
    void shouldParseTheRedissonExamplesAsRedissonConfigs() throws IOException {
        for (String name : List.of("redisson-sentinel.yaml", "redisson-cluster.yaml")) {
            Config config = Config.fromYAML(DEPLOY.resolve(name).toFile());
            assertThat(config.isSentinelConfig() || config.isClusterConfig())
                    .as(name)
                    .isTrue();
        }
        Map<String, Object> configMap = DeployYaml.kind(DeployYaml.all(DEPLOY.resolve("k8s")), "ConfigMap");
        String embedded = (String) DeployYaml.map(configMap, "data").get("redisson.yaml");
        assertThat(Config.fromYAML(embedded).isSentinelConfig()).isTrue();
    }

    @Test
    void shouldStartTheLauncherJarFromEverySystemdUnit() throws IOException {
        List<Path> units = files(p -> p.toString().endsWith(".service"));
        assertThat(units).hasSize(3);
        for (Path unit : units) {
            String text = Files.readString(unit);
            assertThat(text).as(unit.toString()).contains("[Unit]", "[Service]", "[Install]", "Restart=on-failure");
            assertThat(text)
                    .containsPattern("(?m)^ExecStart=/usr/bin/java -jar /opt/kbsync/kbsync.jar (coordinator|worker)");
            assertThat(text).contains("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes");
            assertThat(text.contains(" worker")).isEqualTo(text.contains("ReadWritePaths=/var/lib/kbsync"));
        }
    }

    @Test
    void shouldRunTheDistJarInTheImage() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
        assertThat(dockerfile)
                .contains("COPY dist/target/kbsync.jar /app/kbsync.jar")
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/kbsync.jar\"]");
        assertThat(Files.readString(ROOT.resolve("dist/pom.xml"))).contains("<finalName>kbsync</finalName>");
    }

    private static Set<String> envVarsNamedInDeploy() throws IOException {
        Pattern var = Pattern.compile("\\bKBSYNC_[A-Z0-9_]+");
        Set<String> vars = new TreeSet<>();
        for (Path file : files(Files::isRegularFile)) {
            Matcher m = var.matcher(Files.readString(file));
            while (m.find()) {
                vars.add(m.group());
            }
        }
        return vars;
    }

    /** The worker's keys are the literals its loader looks up; env names follow its documented rule. */
    private static Set<String> workerEnvVars() throws IOException {
        Matcher m = Pattern.compile("(?:source\\.get\\(|integer\\(source, )\"([A-Za-z.]+)\"")
                .matcher(Files.readString(WORKER_LOADER));
        Set<String> vars = new TreeSet<>();
        while (m.find()) {
            vars.add("KBSYNC_"
                    + m.group(1)
                            .replace('.', '_')
                            .replaceAll("([a-z])([A-Z])", "$1_$2")
                            .toUpperCase());
        }
        return vars;
    }

    private static List<Path> files(java.util.function.Predicate<Path> filter) throws IOException {
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            return walk.filter(Files::isRegularFile)
                    .filter(filter)
                    .sorted()
                    .collect(Collectors.toCollection(ArrayList::new));
        }
    }
}
