package dev.kbsync.deploy;

import static dev.kbsync.deploy.DeployYaml.list;
import static dev.kbsync.deploy.DeployYaml.map;
import static dev.kbsync.deploy.DeployYaml.named;
import static dev.kbsync.deploy.DeployYaml.single;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Ports, probes and image names agree between compose, the Kubernetes manifests and the configured http ports. */
class DeployTopologyTest {
    private static final Path DEPLOY =
            Path.of("..").toAbsolutePath().normalize().resolve("deploy");
    private static final String IMAGE = "kbsync/kbsync:0.1.0";

    private final Map<String, Object> compose =
            DeployYaml.documents(DEPLOY.resolve("docker-compose.yml")).get(0);
    private final Map<String, Object> services = map(compose, "services");
    private final List<Map<String, Object>> k8s = DeployYaml.all(DEPLOY.resolve("k8s"));

    DeployTopologyTest() throws IOException {}

    @Test
    void shouldServeComposeCoordinatorsOnTheirConfiguredPort() {
        int port = (Integer)
                map(DeployYaml.documents(DEPLOY.resolve("coordinator.yaml")).get(0), "http")
                        .get("port");
        for (String name : List.of("coordinator-1", "coordinator-2")) {
            Map<String, Object> service = map(services, name);
            assertThat(map(service, "environment").get("KBSYNC_HTTP_PORT")).isEqualTo(String.valueOf(port));
            assertThat(list(service, "ports").get(0).toString()).endsWith(":" + port);
            assertThat(list(map(service, "healthcheck"), "test")).contains("http://127.0.0.1:" + port + "/readyz");
        }
        Map<String, Object> worker = map(services, "worker");
        String workerPort = (String) map(worker, "environment").get("KBSYNC_HTTP_PORT");
        assertThat(list(map(worker, "healthcheck"), "test")).contains("http://127.0.0.1:" + workerPort + "/healthz");
        assertThat(map(worker, "environment").get("KBSYNC_COORDINATOR_URL")).isEqualTo("http://coordinator-1:" + port);
    }

    @Test
    void shouldExposeAndProbeTheConfiguredPortsInKubernetes() {
        String coordinatorYaml =
                (String) map(DeployYaml.kind(k8s, "ConfigMap"), "data").get("coordinator.yaml");
        int port = (Integer) map(Map.of("c", new org.yaml.snakeyaml.Yaml().load(coordinatorYaml)), "c", "http")
                .get("port");
        Map<String, Object> coordinator = container("kbsync-coordinator");
        assertThat(single(coordinator, "ports")).containsEntry("containerPort", port);
        assertThat(map(coordinator, "readinessProbe", "httpGet")).containsEntry("path", "/readyz");
        assertThat(map(coordinator, "livenessProbe", "httpGet")).containsEntry("path", "/healthz");
        Map<String, Object> service = named(k8s, "Service", "kbsync-coordinator");
        assertThat(single(map(service, "spec"), "ports")).containsEntry("port", port);

        Map<String, Object> worker = container("kbsync-worker");
        Object workerPort = single(worker, "ports").get("containerPort");
        assertThat(list(worker, "env")).contains(Map.of("name", "KBSYNC_HTTP_PORT", "value", workerPort.toString()));
        assertThat(list(worker, "env"))
                .contains(Map.of("name", "KBSYNC_COORDINATOR_URL", "value", "http://kbsync-coordinator:" + port));
    }

    @Test
    void shouldUseOneImageNameEverywhere() {
        Set<Object> images = new TreeSet<>();
        images.add(map(services, "coordinator-1").get("image"));
        images.add(map(services, "coordinator-2").get("image"));
        images.add(map(services, "worker").get("image"));
        images.add(container("kbsync-coordinator").get("image"));
        images.add(container("kbsync-worker").get("image"));
        assertThat(images).containsExactly(IMAGE);
    }

    @Test
    void shouldRunTwoCoordinatorsAndThreeWorkersWithDisruptionBudgets() {
        assertThat(map(named(k8s, "Deployment", "kbsync-coordinator"), "spec")).containsEntry("replicas", 2);
        assertThat(map(named(k8s, "Deployment", "kbsync-worker"), "spec")).containsEntry("replicas", 3);
        assertThat(map(services, "worker", "deploy")).containsEntry("replicas", 3);
        named(k8s, "PodDisruptionBudget", "kbsync-coordinator");
        named(k8s, "PodDisruptionBudget", "kbsync-worker");
        named(k8s, "HorizontalPodAutoscaler", "kbsync-worker");
    }

    private Map<String, Object> container(String deployment) {
        return single(map(named(k8s, "Deployment", deployment), "spec", "template", "spec"), "containers");
    }
}
