package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.engine.Engine;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/** The engine never reads from replicas, whatever the deployment: a lagging replica would show a stale queue head. */
class EngineTuneTest {
    @Test
    void shouldReadFromTheMasterWithSentinel() {
        Config config = new Config();
        config.useSentinelServers().setMasterName("m").addSentinelAddress("redis://127.0.0.1:1");

        Engine.tune(config, Node.config("t"));

        assertThat(config.useSentinelServers().getReadMode()).isEqualTo(ReadMode.MASTER);
    }

    @Test
    void shouldReadFromMastersInACluster() {
        Config config = new Config();
        config.useClusterServers().addNodeAddress("redis://127.0.0.1:1");

        Engine.tune(config, Node.config("t"));

        assertThat(config.useClusterServers().getReadMode()).isEqualTo(ReadMode.MASTER);
    }

    @Test
    void shouldStartOnAClusterWhoseShardsAreNotAllServed() {
        Config config = new Config();
        config.useClusterServers().addNodeAddress("redis://127.0.0.1:1");

        Engine.tune(config, Node.config("t"));

        assertThat(config.useClusterServers().isCheckSlotsCoverage()).isFalse();
    }

    @Test
    void shouldReadFromTheMasterWithAMasterAndReplicas() {
        Config config = new Config();
        config.useMasterSlaveServers().setMasterAddress("redis://127.0.0.1:1").addSlaveAddress("redis://127.0.0.1:2");

        Engine.tune(config, Node.config("t"));

        assertThat(config.useMasterSlaveServers().getReadMode()).isEqualTo(ReadMode.MASTER);
    }

    @Test
    void shouldReadFromTheMasterOfReplicatedServers() {
        Config config = new Config();
        config.useReplicatedServers().addNodeAddress("redis://127.0.0.1:1", "redis://127.0.0.1:2");

        Engine.tune(config, Node.config("t"));

        assertThat(config.useReplicatedServers().getReadMode()).isEqualTo(ReadMode.MASTER);
    }

    @Test
    void shouldTurnRedissonObjectReferencesOff() {
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:1");

        Engine.tune(config, Node.config("t"));

        assertThat(config.isReferenceEnabled()).isFalse();
    }
}
