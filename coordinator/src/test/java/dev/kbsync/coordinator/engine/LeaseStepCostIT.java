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
    void shouldGrantAndReleaseAFreeKbInTwoScriptsOfAtMostThirtySixCommands() {
        try (Coordinators coordinators = new Coordinators(redis)) {
            LeaseService leases = leases(coordinators, "cost");
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
            // 36: the request's script checks that the KB is still registered (one read), atomic with its removal
            assertThat(commands)
                    .as("Redis commands per grant+release, scripts' own included")
                    .isBetween(36.0, 37.0);
        }
    }

    /**
     * A heartbeat of a grant: one script of the same commands whether it says what its holder is doing or not, the same
     * text again or another one each time (the grant's {@code doing} is written by the HSET that extends it, and a
     * change is told to the job's streams from the script's reply: with no other coordinator to tell, no command at
     * all), and its µs in Redis printed for each, in rounds that alternate.
     */
    @Test
    void shouldHeartbeatAGrantInOneScriptOfTheSameCommandsWithOrWithoutDoing() {
        try (Coordinators coordinators = new Coordinators(redis)) {
            LeaseService leases = leases(coordinators, "beat");
            Lease lease = await(leases.request(KbId.of("beat"), "h", Duration.ofSeconds(30)));
            java.util.List<java.util.function.IntFunction<java.util.Optional<String>>> forms = java.util.List.of(
                    i -> java.util.Optional.empty(),
                    i -> java.util.Optional.of("running the agent"),
                    i -> java.util.Optional.of("step " + i));
            double[][] perBeat = new double[3][3]; // [form][commands, scripts, µs in scripts]: means of the rounds
            int beats = 0;
            for (int round = -1; round < 5; round++) { // round -1 warms up
                for (int f = 0; f < forms.size(); f++) {
                    long[] before = commands();
                    for (int i = 0; i < PAIRS; i++) {
                        await(leases.heartbeat(lease.id(), forms.get(f).apply(beats++)));
                    }
                    long[] after = commands();
                    for (int k = 0; round >= 0 && k < 3; k++) {
                        perBeat[f][k] += (after[k] - before[k]) / (double) PAIRS / 5;
                    }
                }
            }
            org.slf4j.LoggerFactory.getLogger(LeaseStepCostIT.class)
                    .info(String.format(
                            java.util.Locale.ROOT,
                            "a heartbeat without doing: %.2f commands, %.3f scripts, %.1f µs in scripts;"
                                    + " with the same doing: %.2f, %.3f, %.1f; with another doing each time: %.2f,"
                                    + " %.3f, %.1f",
                            perBeat[0][0],
                            perBeat[0][1],
                            perBeat[0][2],
                            perBeat[1][0],
                            perBeat[1][1],
                            perBeat[1][2],
                            perBeat[2][0],
                            perBeat[2][1],
                            perBeat[2][2]));
            for (int f = 0; f < forms.size(); f++) {
                assertThat(perBeat[f][1]).as("scripts per heartbeat, form " + f).isBetween(1.0, 1.02);
                assertThat(perBeat[f][0])
                        .as("commands per heartbeat, form " + f)
                        .isCloseTo(perBeat[0][0], org.assertj.core.data.Offset.offset(0.02));
            }
        }
    }

    /**
     * The lease service of an engine that serves {@code kb}, sweeping every minute, not every 100 ms: a loaded run takes
     * longer, and its sweeps must not count as the steps measured.
     */
    private static LeaseService leases(Coordinators coordinators, String kb) {
        Engine engine = coordinators.start(new EngineConfig(
                "cost",
                Duration.ofMillis(1500),
                Duration.ofSeconds(60),
                Duration.ofSeconds(3),
                Duration.ofMillis(1500),
                Duration.ofMinutes(1)));
        coordinators.register(engine, kb);
        return engine.services().leases();
    }

    /** Commands Redis ran (those inside scripts included), script calls and µs in scripts, from INFO commandstats. */
    private static long[] commands() {
        Object info = RespClient.once(redis.port(), Duration.ofSeconds(5), "INFO", "commandstats");
        long calls = 0;
        long scripts = 0;
        long usec = 0;
        for (String line : String.valueOf(info).lines().toList()) {
            if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:")) {
                continue;
            }
            long n = Long.parseLong(line.replaceFirst(".*?:calls=(\\d+),.*", "$1"));
            calls += n;
            if (line.startsWith("cmdstat_eval")) {
                scripts += n;
                usec += Long.parseLong(line.replaceFirst(".*?,usec=(\\d+),.*", "$1"));
            }
        }
        return new long[] {calls, scripts, usec};
    }
}
