package dev.kbsync.faults.nemesis;

import dev.kbsync.testing.RedisSentinelGroup;
import java.time.Duration;

/**
 * kill -9 of the Redis master of a Sentinel group (1 master, 2 replicas, 3 Sentinels): the Sentinels promote a replica
 * (down after 1 s), the coordinators follow it; the old master is started again and rejoins as a replica.
 */
public final class SentinelFailover implements Nemesis {
    private final RedisSentinelGroup group;

    public SentinelFailover(RedisSentinelGroup group) {
        this.group = group;
    }

    @Override
    public String name() {
        return "Redis master killed, Sentinel failover to a replica";
    }

    @Override
    public void run(Stage stage) {
        stage.sleep(stage.between(1500, 2500));
        if (stage.stopping()) {
            return;
        }
        group.killMaster();
        stage.fault("kill -9 redis master " + group.master().port());
        int promoted = group.awaitFailover(Duration.ofSeconds(30));
        stage.healed("sentinels promoted " + promoted);
    }

    @Override
    public void heal(Stage stage) {
        if (!group.master().isAlive()) {
            group.master().restart();
        }
    }
}
