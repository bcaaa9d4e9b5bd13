package dev.kbsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What the deployed processes need at run time, checked statically (no Docker engine, cluster or systemd here): each
 * case names what went wrong when the processes were run as these files run them.
 */
class DeployRuntimeTest {
    private static final Path DEPLOY = Path.of("..", "deploy");

    /**
     * Out of memory, a JVM without {@code -XX:+ExitOnOutOfMemoryError} keeps running with the thread that hit it gone
     * (a worker with a slot fewer): the supervisor's restart never fires. The image sets the flag; the units must too.
     */
    @Test
    void shouldExitOnOutOfMemoryInEverySystemdUnitSoThatItIsRestarted() throws IOException {
        for (String unit : List.of("kbsync-coordinator.service", "kbsync-worker.service", "kbsync-worker@.service")) {
            assertThat(execStart(unit)).as(unit).contains(" -XX:+ExitOnOutOfMemoryError ");
        }
    }

    /**
     * The coordinator's degraded-mode journal must survive a restart: under {@code ProtectSystem=strict} nothing but
     * a state directory is writable (the private /tmp is wiped at each start), and a journal directory that cannot be
     * written is a bad configuration (exit 2, not restarted).
     */
    @Test
    void shouldKeepTheCoordinatorsJournalInItsSystemdStateDirectory() throws IOException {
        assertThat(Files.readAllLines(DEPLOY.resolve("systemd/kbsync-coordinator.service")))
                .contains("StateDirectory=kbsync");
        assertThat(Files.readAllLines(DEPLOY.resolve("systemd/coordinator.env.example")))
                .contains(ConfigKey.DEGRADED_JOURNAL_DIR.env() + "=/var/lib/kbsync/journal");
    }

    /**
     * The JVM runs as PID 1 in a container, and does not reap processes it did not start: every process an agent
     * leaves behind (also those of an agent's tree killed at its timeout) stays a zombie until the container's PID
     * limit is reached. An init runs first and reaps them.
     */
    @Test
    void shouldReapAgentsLeftoversWithAnInitInTheImage() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[\"([^\"]+)\"").matcher(dockerfile);
        assertThat(entrypoint.find()).as("an ENTRYPOINT in exec form").isTrue();
        assertThat(entrypoint.group(1)).as("the image's first process").isEqualTo("tini");
        assertThat(dockerfile).contains(" tini");
    }

    /**
     * With {@code redis.waitReplicas} at {@code auto}, a coordinator waits for one replica's copy of every write: after
     * a failover promotes the only replica, none is left and every submission answers {@code 503 REPLICATION_TIMEOUT}
     * while {@code /readyz} stays ready. Compose keeps two replicas, so one is left after a failover.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepAReplicaAfterAFailoverInCompose() throws IOException {
        Map<String, Object> compose = yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        long replicas = services.values().stream()
                .map(service -> String.valueOf(((Map<String, Object>) service).get("command")))
                .filter(command -> command.contains("--replicaof"))
                .count();
        assertThat(replicas).as("Redis replicas in Compose").isGreaterThanOrEqualTo(2);
    }

    /**
     * A stopping coordinator closes its listener at once, but Kubernetes takes the pod out of the Service's endpoints
     * asynchronously: for that while, new connections were refused instead of answered {@code 503}. The pod waits a
     * few seconds before the SIGTERM, and its grace covers that wait and the coordinator's own stop bound.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldLeaveTheServiceTimeToForgetAStoppingCoordinatorInKubernetes() throws IOException {
        long bound = Long.parseLong(ConfigKey.SHUTDOWN_TIMEOUT_SECONDS.defaultText());
        Map<String, Object> pod = coordinatorPod();
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        Map<String, Object> preStop = Optional.ofNullable((Map<String, Object>) container.get("lifecycle"))
                .map(lifecycle -> (Map<String, Object>) lifecycle.get("preStop"))
                .orElse(null);
        assertThat(preStop).as("the coordinator's preStop").isNotNull();
        List<String> command = (List<String>) ((Map<String, Object>) preStop.get("exec")).get("command");
        assertThat(command).hasSize(2).first().isEqualTo("sleep");
        long delay = Long.parseLong(command.get(1));
        assertThat(delay).isBetween(3L, 10L);
        assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
                .as("grace: the preStop delay, then the coordinator's stop bound")
                .isGreaterThan(delay + bound);
    }

    /**
     * A Deployment that an autoscaler scales must not set {@code replicas}: each {@code kubectl apply} of the manifest
     * would reset a scaled-out fleet to that number (running jobs stopped on the workers it removes).
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldLeaveTheWorkersReplicasToTheirAutoscalerInKubernetes() throws IOException {
        List<Map<String, Object>> docs = new java.util.ArrayList<>();
        yaml().loadAll(Files.readString(DEPLOY.resolve("k8s/kbsync.yaml")))
                .forEach(doc -> docs.add((Map<String, Object>) doc));
        List<String> scaled = docs.stream()
                .filter(doc -> "HorizontalPodAutoscaler".equals(doc.get("kind")))
                .map(doc ->
                        (String) ((Map<String, Object>) ((Map<String, Object>) doc.get("spec")).get("scaleTargetRef"))
                                .get("name"))
                .toList();
        assertThat(scaled).isNotEmpty();
        for (Map<String, Object> doc : docs) {
            String name = (String) ((Map<String, Object>) doc.get("metadata")).get("name");
            if ("Deployment".equals(doc.get("kind")) && scaled.contains(name)) {
                assertThat((Map<String, Object>) doc.get("spec"))
                        .as(name + " is scaled by an autoscaler")
                        .doesNotContainKey("replicas");
            }
        }
    }

    /**
     * The {@code kbsync-worker@} template sets each instance's id, cache and health port with {@code Environment=};
     * the shared environment file overrides those, so it must not set them (every instance would share one port).
     */
    @Test
    void shouldLeaveEachWorkerInstancesOwnSettingsToTheTemplate() throws IOException {
        String template = Files.readString(DEPLOY.resolve("systemd/kbsync-worker@.service"));
        List<String> shared = Files.readAllLines(DEPLOY.resolve("systemd/worker.env.example"));
        for (String perInstance : List.of("KBSYNC_WORKER_ID", "KBSYNC_CACHE_DIR", "KBSYNC_WORKER_HTTP_PORT")) {
            assertThat(template).contains("Environment=" + perInstance + "=");
            assertThat(shared).noneMatch(line -> line.startsWith(perInstance + "="));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> coordinatorPod() throws IOException {
        for (Object doc : yaml().loadAll(Files.readString(DEPLOY.resolve("k8s/kbsync.yaml")))) {
            Map<String, Object> map = (Map<String, Object>) doc;
            if ("Deployment".equals(map.get("kind"))
                    && "kbsync-coordinator".equals(((Map<String, Object>) map.get("metadata")).get("name"))) {
                return (Map<String, Object>)
                        ((Map<String, Object>) ((Map<String, Object>) map.get("spec")).get("template")).get("spec");
            }
        }
        throw new AssertionError("no kbsync-coordinator Deployment");
    }

    private static String execStart(String unit) throws IOException {
        return Files.readAllLines(DEPLOY.resolve("systemd/" + unit)).stream()
                .filter(line -> line.startsWith("ExecStart="))
                .findFirst()
                .orElseThrow();
    }

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }
}
