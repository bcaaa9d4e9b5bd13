package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an uncontended grant+release of a raw lease costs Redis, in commands (deterministic, unlike its time: the bench's
 * scenario 1 reports both): two scripts, and inside them no read or write a step does twice. A budget, so that a change
 * that adds Redis work to the hottest path shows here (docs/benchmarks.md, "What a grant costs Redis").
 */
class LeaseStepCostIT {
    private static final int PAIRS = 500;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldGrantAndReleaseAFreeKbInTwoScriptsOfAtMostThirtyFiveCommands() {
        try (Coordinators coordinators = new Coordinators(redis)) {
            // sweeps every minute, not every 100 ms: a loaded run takes longer, and its sweeps must not count as pairs
            Engine engine = coordinators.start(new EngineConfig(
                    "cost",
                    Duration.ofMillis(1500),
                    Duration.ofSeconds(20),
                    Duration.ofSeconds(3),
                    Duration.ofMillis(1500),
                    Duration.ofMinutes(1)));
            coordinators.register(engine, "cost");
            LeaseService leases = engine.services().leases();
            KbId kb = KbId.of("cost");
            for (int i = 0; i < 50; i++) { // the scripts loaded, the KB's keys created
                await(leases.release(await(leases.request(kb, "warm", Duration.ofSeconds(30)))
                        .id()));
            }

            long[] before = commands();
            for (int i = 0; i < PAIRS; i++) {
                Lease lease = await(leases.request(kb, "h", Duration.ofSeconds(30)));
                assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
                await(leases.release(lease.id()));
            }
            long[] after = commands();

            double scripts = (after[1] - before[1]) / (double) PAIRS;
            double commands = (after[0] - before[0]) / (double) PAIRS;
            // the engine's other background steps (the driver's claim) add a few over the run, never one per pair
            assertThat(scripts).as("scripts per grant+release").isBetween(2.0, 2.1);
            assertThat(commands)
                    .as("Redis commands per grant+release, scripts' own included")
                    .isBetween(35.0, 36.0);
        }
    }

    /** Commands Redis ran (those inside scripts included) and script calls, from INFO commandstats. */
    private static long[] commands() {
        Object info = RespClient.once(redis.port(), Duration.ofSeconds(5), "INFO", "commandstats");
        long calls = 0;
        long scripts = 0;
        for (String line : String.valueOf(info).lines().toList()) {
            if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:")) {
                continue;
            }
            long n = Long.parseLong(line.replaceFirst(".*?:calls=(\\d+),.*", "$1"));
            calls += n;
            if (line.startsWith("cmdstat_eval")) {
                scripts += n;
            }
        }
        return new long[] {calls, scripts};
    }
}
