package dev.kbsync.faults.nemesis;

import dev.kbsync.faults.client.Pause;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * kill -9 of the Redis master of a Sentinel group (1 master, 2 replicas, 3 Sentinels) while its replicas lag: both
 * replicas are pointed at the group's replication link (Sentinel points them straight at the master again within
 * seconds of the group's start, so this is redone right before the cut), the link is cut 2.5-3.5 s before the kill
 * (writes that must reach a replica are refused meanwhile, 503), then the master dies and the Sentinels promote a
 * replica that never saw its last writes; the coordinators follow it. The old master is started again and rejoins as
 * a replica.
 */
public final class SentinelFailover implements Nemesis {
    private static final Duration CALL = Duration.ofSeconds(2);

    private final RedisSentinelGroup group;

    public SentinelFailover(RedisSentinelGroup group) {
        this.group = group;
    }

    @Override
    public String name() {
        return "Redis master killed while its replicas lag (replication cut 2.5-3.5 s), Sentinel failover";
    }

    @Override
    public void run(Stage stage) {
        stage.sleep(stage.between(1500, 2500));
        if (stage.stopping()) {
            return;
        }
        List<RedisServer> replicas = replicas();
        int link = group.replicaLink().port();
        for (RedisServer replica : replicas) {
            RespClient.once(replica.port(), CALL, "REPLICAOF", "127.0.0.1", Integer.toString(link));
        }
        for (RedisServer replica : replicas) {
            awaitLinkUp(replica, link);
        }
        group.replicaLink().freeze();
        stage.fault("replication link cut (" + replicas.size() + " replicas behind it)");
        Pause.millis(stage.between(2500, 3500));
        group.killMaster();
        stage.fault("kill -9 redis master " + group.master().port());
        int promoted = group.awaitFailover();
        stage.healed("sentinels promoted " + promoted);
    }

    @Override
    public void heal(Stage stage) {
        if (!group.master().isAlive()) {
            group.master().restart();
        }
    }

    /** The servers of the group that answer ROLE as a replica. */
    private List<RedisServer> replicas() {
        return group.servers().stream()
                .filter(server -> !group.sentinels().contains(server) && server != group.master())
                .toList();
    }

    private static void awaitLinkUp(RedisServer replica, int link) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Object info = RespClient.once(replica.port(), CALL, "INFO", "replication");
            Optional<String> port = RespClient.infoField(info, "master_port");
            Optional<String> status = RespClient.infoField(info, "master_link_status");
            if (port.equals(Optional.of(Integer.toString(link))) && status.equals(Optional.of("up"))) {
                return;
            }
            Pause.millis(50);
        }
        throw new IllegalStateException("replica " + replica.port() + " did not sync through the link " + link);
    }
}
