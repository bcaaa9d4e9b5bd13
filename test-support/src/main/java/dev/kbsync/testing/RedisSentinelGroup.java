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

/**
 * A real Sentinel setup for fault tests: 1 master, 1 replica and 3 Sentinels (quorum 2, down after 1 s) on
 * 127.0.0.1, each in its own temp dir, in containers or as local processes as {@link RedisRuntime} chooses.
 * {@link #start()} returns once the replica is in sync and every Sentinel knows the replica and its two peers.
 * {@link #close()} removes every server and is safe twice.
 */
public final class RedisSentinelGroup implements AutoCloseable {
    /** The name the Sentinels monitor the master under. */
    public static final String MASTER_NAME = "kbsync";

    private static final Duration READY = Duration.ofSeconds(30);
    private static final Duration CALL = Duration.ofSeconds(2);

    private final Path dir;
    private final List<RedisServer> servers = new ArrayList<>();
    private RedisServer master;
    private RedisServer replica;
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisSentinelGroup(Path dir) {
        this.dir = dir;
    }

    /** Starts the master, the replica and the Sentinels, and waits until they know each other. */
    public static RedisSentinelGroup start() {
        RedisSentinelGroup group = new RedisSentinelGroup(RedisExtension.tempDir("kbsync-sentinel"));
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

    /** The server that was the replica at start. */
    public RedisServer replica() {
        return replica;
    }

    public List<RedisServer> sentinels() {
        return List.copyOf(sentinels);
    }

    /** SIGKILL of the original master. */
    public void killMaster() {
        master.kill();
    }

    /** Waits until the Sentinels name a master other than the original one and it answers as master; its port. */
    public int awaitFailover(Duration timeout) {
        return Poll.until(
                timeout,
                "a Sentinel failover of " + MASTER_NAME,
                () -> currentMasterPort()
                        .filter(port -> port != master.port())
                        .filter(port -> "master".equals(((List<?>) RespClient.once(port, CALL, "ROLE")).get(0))));
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
        servers.forEach(RedisServer::close);
        TempDirs.deleteQuietly(dir);
    }

    private void launch() {
        RedisRuntime runtime = RedisRuntime.current();
        master = track(runtime.start(subdir("master"), RedisProcess.freePort(), List.of()));
        replica = track(runtime.start(
                subdir("replica"),
                RedisProcess.freePort(),
                List.of("--replicaof", "127.0.0.1", Integer.toString(master.port()))));
        Poll.until(
                READY,
                "the replica to sync",
                () -> RespClient.infoField(
                                RespClient.once(replica.port(), CALL, "INFO", "replication"), "master_link_status")
                        .filter("up"::equals));
        for (int i = 0; i < 3; i++) {
            int port = RedisProcess.freePort();
            Path sentinelDir = subdir("sentinel-" + i);
            sentinels.add(track(runtime.startSentinel(sentinelDir, port, writeConfig(sentinelDir, port))));
        }
        for (RedisServer sentinel : sentinels) {
            Poll.until(READY, "Sentinel " + sentinel.port() + " to see the replica and its peers", () -> {
                List<?> replicas =
                        (List<?>) RespClient.once(sentinel.port(), CALL, "SENTINEL", "replicas", MASTER_NAME);
                List<?> peers = (List<?>) RespClient.once(sentinel.port(), CALL, "SENTINEL", "sentinels", MASTER_NAME);
                return replicas.size() == 1 && peers.size() == 2;
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
                "sentinel failover-timeout " + MASTER_NAME + " 5000",
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
