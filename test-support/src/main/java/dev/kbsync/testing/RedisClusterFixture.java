package dev.kbsync.testing;

import dev.kbsync.redis.RedisProcess;
import dev.kbsync.redis.RespClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real 3-master Redis Cluster on 127.0.0.1 (no replicas, node timeout 2 s), built over raw RESP with
 * {@code CLUSTER ADDSLOTS} and {@code CLUSTER MEET} so it needs only {@code redis-server}; nodes run in containers
 * (host network, so the bus port {@code port + 10000} is on 127.0.0.1 too) or as local processes, as
 * {@link RedisRuntime} chooses. {@link #start()} returns once every node reports {@code cluster_state:ok};
 * {@link #close()} removes every node and is safe twice.
 */
public final class RedisClusterFixture implements AutoCloseable {
    /** Number of hash slots in a Redis Cluster. */
    public static final int SLOTS = 16384;

    private static final int MASTERS = 3;
    private static final int BATCH = 1000;
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final Duration READY = Duration.ofSeconds(30);

    private final Path dir;
    private final List<RedisServer> nodes = new ArrayList<>();

    private RedisClusterFixture(Path dir) {
        this.dir = dir;
    }

    /** Starts three masters, splits the slots evenly between them and waits for {@code cluster_state:ok}. */
    public static RedisClusterFixture start() {
        RedisClusterFixture cluster = new RedisClusterFixture(RedisExtension.tempDir("kbsync-cluster"));
        try {
            cluster.launch();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The nodes, in slot order: node {@code i} serves the {@code i}-th third of the slots. */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** {@code redis://127.0.0.1:<port>} of each node. */
    public List<String> nodeAddresses() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    /** The node that serves {@code slot}. */
    public RedisServer nodeForSlot(int slot) {
        return nodes.get(slot / firstSlot(1));
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
        TempDirs.deleteQuietly(dir);
    }

    private void launch() {
        for (int i = 0; i < MASTERS; i++) {
            int port = clusterPort();
            nodes.add(RedisRuntime.current()
                    .start(
                            TempDirs.subdir(dir, "node-" + port),
                            port,
                            List.of(
                                    "--cluster-enabled", "yes",
                                    "--cluster-config-file", "nodes-" + port + ".conf",
                                    "--cluster-node-timeout", "2000")));
        }
        for (int i = 0; i < MASTERS; i++) {
            try (RespClient node = RespClient.connect(nodes.get(i).port(), CALL)) {
                node.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
                addSlots(node, firstSlot(i), firstSlot(i + 1));
            }
        }
        try (RespClient first = RespClient.connect(nodes.get(0).port(), CALL)) {
            for (RedisServer other : nodes.subList(1, MASTERS)) {
                first.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(other.port()));
            }
        }
        for (RedisServer node : nodes) {
            Poll.until(
                    READY,
                    "cluster_state:ok on " + node.port(),
                    () -> RespClient.infoField(RespClient.once(node.port(), CALL, "CLUSTER", "INFO"), "cluster_state")
                            .filter("ok"::equals));
        }
    }

    private static void addSlots(RespClient node, int from, int to) {
        for (int start = from; start < to; start += BATCH) {
            List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            for (int slot = start; slot < Math.min(to, start + BATCH); slot++) {
                command.add(Integer.toString(slot));
            }
            node.call(command.toArray(String[]::new));
        }
    }

    private static int firstSlot(int node) {
        return node == MASTERS ? SLOTS : node * (SLOTS / MASTERS + 1);
    }

    /** A free port whose cluster bus port ({@code port + 10000}) is free too. */
    private static int clusterPort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = RedisProcess.freePort();
            if (port + 10000 <= 65535 && isFree(port + 10000)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair (p, p + 10000) found for a cluster node");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.isBound();
        } catch (IOException taken) {
            return false;
        }
    }
}
