package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.config.Config;

/**
 * A master and a replica named in a {@code masterSlaveServersConfig}: the engine reads from the master, where Redisson
 * would read the replica. The replica here lags for good (its master is gone), so a read sent to it misses what was
 * just written: a job answered 202 would read 404, the registry would miss a KB.
 */
class ReplicaReadsIT {
    @RegisterExtension
    static final RedisExtension master = new RedisExtension();

    @RegisterExtension
    static final RedisExtension replica = new RedisExtension();

    @Test
    void shouldReadWhatWasJustWrittenFromTheMasterNotALaggingReplica() {
        RespClient.once(replica.port(), Duration.ofSeconds(2), "REPLICAOF", "127.0.0.1", "1");
        try (Coordinators coordinators = new Coordinators(() -> {
            Config config = new Config();
            config.useMasterSlaveServers().setMasterAddress(master.uri()).addSlaveAddress(replica.uri());
            return config;
        })) {
            CoordinatorServices services = coordinators
                    .start(Coordinators.config("reads"), MetricsSink.NONE)
                    .engine()
                    .services();
            KbId kb = KbId.of("replicated");
            coordinators.register(coordinators.node(0).engine(), kb.value());

            Job job = await(services.jobs().submit(kb, "ann", new JobPayload.Note("n", null, null), Optional.empty()));

            assertThat(await(services.jobs().get(job.id())).id()).isEqualTo(job.id());
            assertThat(await(services.kbs().get(kb))).isPresent();
        }
    }
}
