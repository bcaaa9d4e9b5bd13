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
import java.util.Optional;

/**
 * A real 3-master Redis Cluster on 127.0.0.1 (no replicas, node timeout 2 s; or, from {@link #startWithReplicas()},
 * one replica per master and node timeout 1 s), every node with {@code cluster-require-full-coverage no}, so a shard
 * that lost its master (killed, paused) does not stop the others; built over raw RESP with {@code CLUSTER ADDSLOTS},
 * {@code CLUSTER MEET} and {@code CLUSTER REPLICATE} so it needs only {@code redis-server}; nodes run in containers
 * (host network, so the bus port {@code port + 10000} is on 127.0.0.1 too) or as local processes, as
 * {@link RedisRuntime} chooses. {@link #start()} returns once every node reports {@code cluster_state:ok}, every slot
 * assigned and every node known;
 * {@link #close()} removes every node and is safe twice. Fault tests read the live topology
 * ({@link #masterOf(int)}, {@link #isMaster}) and move slots ({@link #moveSlot}).
 */
public final class RedisClusterFixture implements AutoCloseable {
    /** Number of hash slots in a Redis Cluster. */
    public static final int SLOTS = 16384;

    private static final int MASTERS = 3;
    private static final int BATCH = 1000;
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final Duration READY = Duration.ofSeconds(30);

    private final Path dir;
    private final int replicaCount;
    private final int spareOf;
    private final boolean replicas;
    private final String nodeTimeoutMs;
    private final List<RedisServer> nodes = new ArrayList<>();

    private RedisClusterFixture(Path dir, int replicaCount, int spareOf, Duration nodeTimeout) {
        this.dir = dir;
        this.replicaCount = replicaCount;
        this.spareOf = spareOf;
        this.replicas = replicaCount > 0;
        this.nodeTimeoutMs = Long.toString(nodeTimeout.toMillis());
    }

    /** Starts three masters, splits the slots evenly between them and waits for {@code cluster_state:ok}. */
    public static RedisClusterFixture start() {
        return start(0, -1, Duration.ofSeconds(2));
    }

    /**
     * Three masters as {@link #start()}, each with one replica (nodes 3, 4 and 5 replicate nodes 0, 1 and 2), node
     * timeout 1 s (a killed master's replica takes over within a few seconds); returns once every replica is in sync.
     */
    public static RedisClusterFixture startWithReplicas() {
        return start(MASTERS, -1, Duration.ofSeconds(1));
    }

    /**
     * As {@link #startWithReplicas()}, plus a second replica (node 6) of master node {@code master} (0-2): after that
     * master fails, its shard still has a replica (the one not promoted follows the new master), so writes that wait
     * for a replica go on.
     */
    public static RedisClusterFixture startWithReplicasAndSpare(int master) {
        return start(MASTERS + 1, master, Duration.ofSeconds(1));
    }

    private static RedisClusterFixture start(int replicaCount, int spareOf, Duration nodeTimeout) {
        RedisClusterFixture cluster =
                new RedisClusterFixture(RedisExtension.tempDir("kbsync-cluster"), replicaCount, spareOf, nodeTimeout);
        try {
            cluster.launch();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * The nodes, in slot order: node {@code i} serves the {@code i}-th third of the slots as it started; with replicas,
     * node {@code 3 + i} is node {@code i}'s replica.
     */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** {@code redis://127.0.0.1:<port>} of each node. */
    public List<String> nodeAddresses() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    /** The node that served {@code slot} at start. */
    public RedisServer nodeForSlot(int slot) {
        return nodes.get(slot / firstSlot(1));
    }

    /** The hash slot of {@code key} ({@code CLUSTER KEYSLOT} on a live node). */
    public int slot(String key) {
        return (int) (long) (Long) call(live(), "CLUSTER", "KEYSLOT", key);
    }

    /** The master serving {@code slot} now, as a live node's {@code CLUSTER NODES} tells it. */
    public RedisServer masterOf(int slot) {
        String view = String.valueOf(call(live(), "CLUSTER", "NODES"));
        for (String line : view.lines().toList()) {
            String[] f = line.split(" ");
            if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue;
                }
                String[] range = f[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                if (slot >= from && slot <= to) {
                    return byPort(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@'))));
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot + ":\n" + view);
    }

    /** Whether {@code node} answers and calls itself a master ({@code ROLE}). */
    public boolean isMaster(RedisServer node) {
        try {
            return "master".equals(((List<?>) call(node, "ROLE")).get(0));
        } catch (RuntimeException down) {
            return false;
        }
    }

    /** Whether {@code master} answers and has a replica in sync ({@code INFO replication}: {@code state=online}). */
    public boolean hasReplicaOnline(RedisServer master) {
        return replicasOnline(master) > 0;
    }

    /** How many replicas of {@code master} are in sync; 0 when it does not answer. */
    public int replicasOnline(RedisServer master) {
        try {
            return (int) String.valueOf(call(master, "INFO", "replication"))
                    .lines()
                    .filter(line -> line.matches("slave\\d+:.*state=online.*"))
                    .count();
        } catch (RuntimeException down) {
            return 0;
        }
    }

    /** {@code node}'s cluster node id. */
    public String nodeId(RedisServer node) {
        return String.valueOf(call(node, "CLUSTER", "MYID"));
    }

    /**
     * The replica started for master node {@code master} (0-2), with {@link #startWithReplicas()}; node 6 is the
     * spare of {@link #startWithReplicasAndSpare(int)}.
     */
    public RedisServer replicaOf(int master) {
        if (!replicas) {
            throw new IllegalStateException("this cluster has no replicas");
        }
        return nodes.get(MASTERS + master);
    }

    /**
     * Moves {@code slot} from master {@code from} to master {@code to} as {@code redis-cli --cluster reshard} does:
     * {@code SETSLOT IMPORTING} on the target, {@code MIGRATING} on the source, {@code MIGRATE} of the slot's keys
     * {@code batch} at a time with {@code pause} between batches (while the keys are split, commands on them get
     * {@code ASK} or {@code TRYAGAIN}), then {@code SETSLOT NODE} on the target, the source and every other master.
     * Returns how many keys moved.
     */
    public int moveSlot(int slot, RedisServer from, RedisServer to, int batch, Duration pause) {
        String s = Integer.toString(slot);
        String fromId = nodeId(from);
        String toId = nodeId(to);
        call(to, "CLUSTER", "SETSLOT", s, "IMPORTING", fromId);
        call(from, "CLUSTER", "SETSLOT", s, "MIGRATING", toId);
        int moved = 0;
        while (true) {
            List<?> keys = (List<?>) call(from, "CLUSTER", "GETKEYSINSLOT", s, Integer.toString(batch));
            if (keys.isEmpty()) {
                break;
            }
            List<String> migrate = new ArrayList<>(
                    List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port()), "", "0", "5000", "KEYS"));
            keys.forEach(k -> migrate.add(String.valueOf(k)));
            call(from, migrate.toArray(String[]::new));
            moved += keys.size();
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while moving slot " + slot, e);
            }
        }
        call(to, "CLUSTER", "SETSLOT", s, "NODE", toId);
        call(from, "CLUSTER", "SETSLOT", s, "NODE", toId);
        for (RedisServer other : nodes) {
            if (other != to && other != from && isMaster(other)) {
                call(other, "CLUSTER", "SETSLOT", s, "NODE", toId);
            }
        }
        return moved;
    }

    /** Sends {@code command} to {@code node} on a fresh connection. */
    public static Object call(RedisServer node, String... command) {
        return RespClient.once(node.port(), CALL, command);
    }

    private RedisServer live() {
        for (RedisServer node : nodes) {
            try {
                call(node, "PING");
                return node;
            } catch (RuntimeException down) {
                // the next one
            }
        }
        throw new IllegalStateException("no cluster node answers");
    }

    private RedisServer byPort(int port) {
        return nodes.stream()
                .filter(n -> n.port() == port)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no node on port " + port));
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
        TempDirs.deleteQuietly(dir);
    }

    private void launch() {
        for (int i = 0; i < MASTERS + replicaCount; i++) {
            int port = clusterPort();
            List<String> args = new ArrayList<>(List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes-" + port + ".conf",
                    "--cluster-node-timeout",
                    nodeTimeoutMs));
            // each KB lives in one slot: a shard without a master stops only its own KBs
            args.addAll(List.of("--cluster-require-full-coverage", "no"));
            nodes.add(RedisRuntime.current().start(TempDirs.subdir(dir, "node-" + port), port, args));
        }
        for (int i = 0; i < MASTERS; i++) {
            try (RespClient node = RespClient.connect(nodes.get(i).port(), CALL)) {
                node.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
                addSlots(node, firstSlot(i), firstSlot(i + 1));
            }
        }
        try (RespClient first = RespClient.connect(nodes.get(0).port(), CALL)) {
            for (RedisServer other : nodes.subList(1, nodes.size())) {
                first.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(other.port()));
            }
        }
        for (int i = 0; i < replicaCount; i++) {
            RedisServer replica = nodes.get(MASTERS + i);
            String master = nodeId(nodes.get(i < MASTERS ? i : spareOf));
            // refused until the MEET has reached the replica
            Poll.until(
                    READY,
                    "node " + replica.port() + " replicating " + master,
                    () -> Optional.of(call(replica, "CLUSTER", "REPLICATE", master)));
        }
        // with cluster-require-full-coverage no a node says ok before it has heard of every node and slot
        String known = Integer.toString(nodes.size());
        for (RedisServer node : nodes) {
            Poll.until(
                    READY,
                    "cluster_state:ok, every slot assigned and " + known + " nodes known on " + node.port(),
                    () -> {
                        Object info = RespClient.once(node.port(), CALL, "CLUSTER", "INFO");
                        return RespClient.infoField(info, "cluster_state")
                                        .filter("ok"::equals)
                                        .isPresent()
                                && RespClient.infoField(info, "cluster_slots_assigned")
                                        .filter("16384"::equals)
                                        .isPresent()
                                && RespClient.infoField(info, "cluster_known_nodes")
                                        .filter(known::equals)
                                        .isPresent();
                    });
        }
        for (int i = 0; i < Math.min(MASTERS, replicaCount); i++) {
            RedisServer master = nodes.get(i);
            int expected = i == spareOf ? 2 : 1;
            Poll.until(
                    READY,
                    expected + " replica(s) in sync with " + master.port(),
                    () -> replicasOnline(master) >= expected);
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
