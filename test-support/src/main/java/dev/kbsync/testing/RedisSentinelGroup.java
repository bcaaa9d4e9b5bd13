package dev.kbsync.testing;

import dev.kbsync.redis.RedisProcess;
import dev.kbsync.redis.RespClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A real Sentinel setup for fault tests: 1 master, 1 replica (or more) and 3 Sentinels (quorum 2, down after 1 s) on
 * 127.0.0.1, each in its own temp dir, in containers or as local processes as {@link RedisRuntime} chooses.
 * {@link #start()} returns once the replicas are in sync and every Sentinel knows them and its two peers.
 * {@link #close()} removes every server and is safe twice.
 */
public final class RedisSentinelGroup implements AutoCloseable {
    /** The name the Sentinels monitor the master under. */
    public static final String MASTER_NAME = "kbsync";

    private static final Duration READY = Duration.ofSeconds(30);
    private static final Duration CALL = Duration.ofSeconds(2);
    /** How long the Sentinels take to fail over again after a failed try (twice this) and more; see the group's note. */
    private static final String FAILOVER_TIMEOUT_MS = "5000";
    /**
     * The failover timeout of a linked group until its master is killed. Sentinel points a replica whose master address
     * differs from the monitored one back at that master once the replica has been up for twice the failover timeout
     * ({@code +fix-slave-config}): with 5 s, a replica behind the link bypassed it some 10 s after the start, and every
     * later cut or freeze of the link did nothing.
     */
    private static final String LINK_HOLD_TIMEOUT_MS = "3600000";

    private final Path dir;
    private final boolean proxiedLink;
    private final int replicaCount;
    private final List<RedisServer> servers = new ArrayList<>();
    private FaultProxy replicaLink;
    private RedisServer master;
    private final List<RedisServer> replicas = new ArrayList<>();
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisSentinelGroup(Path dir, boolean proxiedLink, int replicaCount) {
        this.dir = dir;
        this.proxiedLink = proxiedLink;
        this.replicaCount = replicaCount;
    }

    /** Starts the master, the replica and the Sentinels, and waits until they know each other. */
    public static RedisSentinelGroup start() {
        return start(false, 1);
    }

    /**
     * Like {@link #start()} with {@code replicas} replicas: after a failover the other replicas follow the new master,
     * so writes that wait for one replica's acknowledgement carry on.
     */
    public static RedisSentinelGroup startWithReplicas(int replicas) {
        return start(false, replicas);
    }

    /**
     * Like {@link #startWithReplicas}, but the replicas replicate through one {@link FaultProxy}
     * ({@link #replicaLink()}), so a test can cut replication off while everything else still runs: what the master
     * acknowledges meanwhile never reaches a replica (a replica that only sleeps would still apply it from its socket
     * buffer later). After a failover the other replicas follow the new master directly. The replicas stay behind the
     * link until {@link #killMaster()} (the Sentinels would otherwise point them at the master directly some 10 s
     * after the start); from then on the Sentinels fail over and fix replicas as in any group.
     */
    public static RedisSentinelGroup startWithReplicaLink(int replicas) {
        return start(true, replicas);
    }

    private static RedisSentinelGroup start(boolean proxiedLink, int replicas) {
        RedisSentinelGroup group =
                new RedisSentinelGroup(RedisExtension.tempDir("kbsync-sentinel"), proxiedLink, replicas);
        try {
            group.launch();
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    public String masterName() {
        return MASTER_NAME;
    }

    /** {@code redis://127.0.0.1:<port>} of each Sentinel. */
    public List<String> sentinelAddresses() {
        return sentinels.stream().map(RedisServer::uri).toList();
    }

    /** The server that was master at start (it stays that server after a failover). */
    public RedisServer master() {
        return master;
    }

    /** The server that was the (first) replica at start. */
    public RedisServer replica() {
        return replicas.get(0);
    }

    /** The replication link of a group from {@link #startWithReplicaLink}. */
    public FaultProxy replicaLink() {
        if (replicaLink == null) {
            throw new IllegalStateException("the replicas replicate directly; use startWithReplicaLink(n)");
        }
        return replicaLink;
    }

    public List<RedisServer> sentinels() {
        return List.copyOf(sentinels);
    }

    /**
     * SIGKILL of the original master. In a linked group the Sentinels then get their usual failover timeout back, so a
     * failed election is tried again after 10 s, not an hour (a replica they now point at the dead master directly
     * receives nothing either way).
     */
    public void killMaster() {
        master.kill();
        if (proxiedLink) {
            for (RedisServer sentinel : sentinels) {
                RespClient.once(
                        sentinel.port(),
                        Duration.ofSeconds(10),
                        "SENTINEL",
                        "SET",
                        MASTER_NAME,
                        "failover-timeout",
                        FAILOVER_TIMEOUT_MS);
            }
        }
    }

    /**
     * How long {@link #awaitFailover()} waits: an election takes 2-3 s after the master's death is noticed (1 s), but a
     * Sentinel in TILT mode (its timer stalled for over 2 s on a loaded machine) acts on nothing for 30 s.
     */
    public static final Duration FAILOVER_WAIT = Duration.ofSeconds(60);

    /**
     * How long {@link #awaitReplicaOnline} waits: Sentinel reconfigures the other replicas during the failover, or, if
     * that misses, some seconds later at its 10 s INFO cadence, and not at all during a TILT.
     */
    public static final Duration REPLICA_WAIT = Duration.ofSeconds(90);

    /** {@link #awaitFailover(Duration)} with {@link #FAILOVER_WAIT}. */
    public int awaitFailover() {
        return awaitFailover(FAILOVER_WAIT);
    }

    /**
     * Waits until the Sentinels name a master other than the original one and it answers as master; its port. A
     * timeout names each Sentinel's TILT state and its view of the replicas.
     */
    public int awaitFailover(Duration timeout) {
        return untilOrDescribe(
                timeout,
                "a Sentinel failover of " + MASTER_NAME,
                () -> currentMasterPort()
                        .filter(port -> port != master.port())
                        .filter(port -> "master".equals(((List<?>) RespClient.once(port, CALL, "ROLE")).get(0))));
    }

    /**
     * Waits until the master the Sentinels name has a replica online (the other replicas following the promoted one
     * after a failover), up to {@link #REPLICA_WAIT}. It asks the Sentinels anew each time: on a loaded
     * machine they once failed over a second time, from the replica just promoted to the other one, and a wait on the
     * first one's port never ended. A timeout names each Sentinel's TILT state and view.
     */
    public void awaitReplicaOnline() {
        untilOrDescribe(
                REPLICA_WAIT,
                "a replica online on the master the Sentinels name",
                () -> currentMasterPort()
                        .filter(port -> String.valueOf(RespClient.once(port, CALL, "INFO", "replication"))
                                .contains("state=online")));
    }

    /**
     * Waits until the Sentinels have turned the restarted original master into a replica of the current master.
     * Sentinel does that on its own some seconds after the server reports itself as master (an 8 s grace, checked at
     * its 10 s INFO cadence for replicas), but never while it is in TILT mode, which it enters for 30 s whenever its
     * timer stalls for over 2 s (a loaded machine); the timeout should cover a TILT. A timeout names each Sentinel's
     * TILT state and its view of the server. On a loaded machine the Sentinels once failed over a second time just
     * after the rejoin (the promoted server answered too slowly), back to the rejoined one: a server the Sentinels name
     * as master again, with its replica online, rejoined too.
     */
    public void awaitOldMasterRejoined(Duration timeout) {
        try {
            untilOrDescribe(
                    timeout,
                    "the Sentinels to turn the restarted master 127.0.0.1:" + master.port()
                            + " into a replica in sync with the current master",
                    () -> Optional.of(true).filter(x -> rejoined()));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; the restarted master: " + replication(master), e);
        }
    }

    /**
     * Rejoined: a replica whose link to its master is up (its first sync done: until then it holds nothing of what
     * the master acknowledged), or the master the Sentinels name again, with a replica online.
     */
    private boolean rejoined() {
        String replication = String.valueOf(RespClient.once(master.port(), CALL, "INFO", "replication"));
        if (replication.contains("role:slave")) {
            return replication.contains("master_link_status:up");
        }
        return currentMasterPort().filter(port -> port == master.port()).isPresent()
                && replication.contains("state=online");
    }

    /** A server's {@code INFO replication} on one line, or why it could not be read, for a failure message. */
    public static String replication(RedisServer server) {
        try {
            return String.valueOf(RespClient.once(server.port(), CALL, "INFO", "replication"))
                    .replaceAll("[\\r\\n]+", " ")
                    .trim();
        } catch (RuntimeException e) {
            return "not readable: " + e.getMessage();
        }
    }

    private <T> T untilOrDescribe(Duration timeout, String what, Supplier<Optional<T>> probe) {
        try {
            return Poll.until(timeout, what, probe);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; " + describeSentinels(), e);
        }
    }

    /** Each Sentinel's TILT state and its view of every replica it knows, for a failure message. */
    public String describeSentinels() {
        List<String> views = new ArrayList<>();
        for (RedisServer sentinel : sentinels) {
            try {
                String tilt = RespClient.infoField(
                                RespClient.once(sentinel.port(), CALL, "INFO", "sentinel"), "sentinel_tilt")
                        .orElse("?");
                List<String> known = ((List<?>)
                                RespClient.once(sentinel.port(), CALL, "SENTINEL", "replicas", MASTER_NAME))
                        .stream()
                                .map(entry -> (List<?>) entry)
                                .map(entry -> field(entry, "port") + " [flags=" + field(entry, "flags")
                                        + " role-reported="
                                        + field(entry, "role-reported") + " for " + field(entry, "role-reported-time")
                                        + " ms, master " + field(entry, "master-port") + " link "
                                        + field(entry, "master-link-status") + "]")
                                .toList();
                views.add("Sentinel " + sentinel.port() + ": tilt=" + tilt + ", replicas " + known);
            } catch (RuntimeException e) {
                views.add("Sentinel " + sentinel.port() + ": " + e.getMessage());
            }
        }
        return String.join("; ", views);
    }

    private static String field(List<?> flat, String key) {
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            if (key.equals(flat.get(i))) {
                return String.valueOf(flat.get(i + 1));
            }
        }
        return "?";
    }

    /** The master port that the first answering Sentinel names, if any answers. */
    public Optional<Integer> currentMasterPort() {
        for (RedisServer sentinel : sentinels) {
            try {
                List<?> addr = (List<?>)
                        RespClient.once(sentinel.port(), CALL, "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
                return Optional.of(Integer.parseInt((String) addr.get(1)));
            } catch (UncheckedIOException | IllegalStateException unavailable) {
                // try the next Sentinel
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        if (replicaLink != null) {
            replicaLink.close();
        }
        servers.forEach(RedisServer::close);
        TempDirs.deleteQuietly(dir);
    }

    private void launch() {
        RedisRuntime runtime = RedisRuntime.current();
        // Full syncs start at once instead of after Redis' default 5 s diskless-sync delay (every server may become
        // master after a failover).
        List<String> fastSync = List.of("--repl-diskless-sync-delay", "0");
        // each on a free port, again on another if one is taken before the bind (another test JVM's pick)
        master = track(RedisExtension.onAFreePort(
                RedisProcess::freePort, port -> runtime.start(subdir("master"), port, fastSync)));
        int upstream = master.port();
        if (proxiedLink) {
            replicaLink = FaultProxy.to(master.port());
            upstream = replicaLink.port();
        }
        for (int i = 0; i < replicaCount; i++) {
            Path replicaDir = subdir("replica-" + i);
            List<String> replicaArgs =
                    List.of("--replicaof", "127.0.0.1", Integer.toString(upstream), fastSync.get(0), fastSync.get(1));
            RedisServer replica = track(RedisExtension.onAFreePort(
                    RedisProcess::freePort, port -> runtime.start(replicaDir, port, replicaArgs)));
            replicas.add(replica);
            Poll.until(
                    READY,
                    "the replica to sync",
                    () -> RespClient.infoField(
                                    RespClient.once(replica.port(), CALL, "INFO", "replication"), "master_link_status")
                            .filter("up"::equals));
        }
        for (int i = 0; i < 3; i++) {
            Path sentinelDir = subdir("sentinel-" + i);
            sentinels.add(track(RedisExtension.onAFreePort(
                    RedisProcess::freePort,
                    port -> runtime.startSentinel(sentinelDir, port, writeConfig(sentinelDir, port)))));
        }
        for (RedisServer sentinel : sentinels) {
            Poll.until(READY, "Sentinel " + sentinel.port() + " to see the replica and its peers", () -> {
                List<?> replicas =
                        (List<?>) RespClient.once(sentinel.port(), CALL, "SENTINEL", "replicas", MASTER_NAME);
                List<?> peers = (List<?>) RespClient.once(sentinel.port(), CALL, "SENTINEL", "sentinels", MASTER_NAME);
                return replicas.size() == replicaCount && peers.size() == 2;
            });
        }
    }

    private Path writeConfig(Path sentinelDir, int port) {
        String config = String.join(
                "\n",
                "port " + port,
                "bind 127.0.0.1",
                "sentinel resolve-hostnames no",
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                "sentinel failover-timeout " + MASTER_NAME + " "
                        + (proxiedLink ? LINK_HOLD_TIMEOUT_MS : FAILOVER_TIMEOUT_MS),
                "");
        try {
            return Files.writeString(sentinelDir.resolve("sentinel.conf"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RedisServer track(RedisServer server) {
        servers.add(server);
        return server;
    }

    private Path subdir(String name) {
        return TempDirs.subdir(dir, name);
    }

    /** Every server of the group, for tests that check they are gone. */
    public List<RedisServer> servers() {
        return List.copyOf(servers);
    }
}
