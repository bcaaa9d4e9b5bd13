package dev.kbsync.bench;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.testing.RedisClusterFixture;
import dev.kbsync.testing.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The deployment the capacity model is measured and checked on: a 3-master Redis Cluster (local processes or
 * containers, as {@code KBSYNC_TEST_REDIS} says) and {@link #COORDINATORS} coordinators in child JVMs on it, as
 * deployed ({@code -Xmx256m}). With two coordinators their pub/sub to each other is paid, as in any deployment that
 * survives the loss of one.
 */
final class CapacityTopology implements AutoCloseable {
    static final int COORDINATORS = 2;

    private final RedisClusterFixture cluster;
    private final List<ChildCoordinator> coordinators = new ArrayList<>();
    private final List<KbsyncClient> clients = new ArrayList<>();

    private CapacityTopology(RedisClusterFixture cluster) {
        this.cluster = cluster;
    }

    static CapacityTopology start(BenchContext ctx, String tag) throws Exception {
        CapacityTopology t = new CapacityTopology(RedisClusterFixture.start());
        try {
            Path yaml = Files.createTempFile(ctx.scratch(), "cluster", ".yaml");
            StringBuilder text = new StringBuilder("clusterServersConfig:\n  scanInterval: 1000\n  nodeAddresses:\n");
            t.cluster
                    .nodeAddresses()
                    .forEach(a -> text.append("  - \"").append(a).append("\"\n"));
            Files.writeString(yaml, text);
            for (int i = 0; i < COORDINATORS; i++) {
                ChildCoordinator child = ChildCoordinator.start(
                        ctx,
                        Map.of("KBSYNC_REDIS_CONFIG_FILE", yaml.toString(), "KBSYNC_COORDINATOR_ID", tag + "-" + i));
                t.coordinators.add(child);
                t.clients.add(child.client(32));
            }
            return t;
        } catch (Exception e) {
            t.close();
            throw e;
        }
    }

    /** One HTTP client per coordinator, in the order they started. */
    List<KbsyncClient> clients() {
        return clients;
    }

    List<ChildCoordinator> coordinators() {
        return coordinators;
    }

    /** A measuring window over the masters and the coordinators' processes. */
    Window window() {
        return Window.start(
                cluster.nodes().stream().map(RedisServer::port).toList(),
                coordinators.stream().map(ChildCoordinator::pid).toList());
    }

    @Override
    public void close() throws Exception {
        for (KbsyncClient c : clients) {
            c.close();
        }
        for (ChildCoordinator c : coordinators) {
            c.close();
        }
        cluster.close();
    }
}
