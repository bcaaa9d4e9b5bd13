package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityModelTest {
    /** Every constant 0 except those given. */
    private static CapacityModel model(Map<String, Double> given) {
        Map<String, Double> values = new HashMap<>();
        CapacityConstants.KEYS.forEach(k -> values.put(k[0], 0.0));
        values.put("worker.notesPerSecPerKb", 1.0);
        values.putAll(given);
        return new CapacityModel(new CapacityConstants(values), CapacityModel.Budget.defaults());
    }

    @Test
    void shouldCountEveryKbsHistoryAndTheKbsWithQueuedWorkInRedisMemory() {
        CapacityModel m = model(Map.of(
                "redis.bytesPerKb", 100.0,
                "redis.bytesPerKbWithJobs", 50.0,
                "redis.bytesPerRetainedJob", 600.0,
                "redis.bytesPerKbWithQueue", 1000.0,
                "redis.bytesPerQueuedJob", 500.0));

        // 1,000 KBs, 24,000 notes a day kept 168 h, 10 queued at the peak (on 10 KBs)
        Map<String, Double> plan = m.plan(new CapacityModel.Load(1_000, 24_000, 1, 0, 10));

        double bytes = 1_000 * 150.0 + 24_000 * 7 * 600.0 + 10 * 1000.0 + 10 * 500.0;
        assertThat(plan.get("Redis memory (GiB)")).isCloseTo(bytes / (1L << 30), within(1e-9));
    }

    @Test
    void shouldSweepKbsWithQueuedWorkAtTheBusyRate() {
        CapacityModel m = model(Map.of(
                "coordinator.sweepCpuMsPerKbSec", 0.01,
                "coordinator.busySweepCpuMsPerKbSec", 1.0));

        double quiet = m.plan(new CapacityModel.Load(10_000, 0, 1, 0, 0)).get("sweep CPU per coordinator (cores)");
        double busy = m.plan(new CapacityModel.Load(10_000, 0, 1, 0, 100)).get("sweep CPU per coordinator (cores)");

        assertThat(quiet).isCloseTo(0.1, within(1e-9));
        assertThat(busy).isCloseTo(0.2, within(1e-9)); // 100 KBs with a queue, 1 ms/s each
    }

    @Test
    void shouldCountASweepCostMeasuredBelowZeroAsZero() {
        CapacityModel m =
                model(Map.of("coordinator.sweepCpuMsPerKbSec", -0.01, "coordinator.busySweepCpuMsPerKbSec", 1.0));

        double sweep = m.plan(new CapacityModel.Load(100_000, 0, 1, 0, 100)).get("sweep CPU per coordinator (cores)");

        assertThat(sweep).isCloseTo(0.1, within(1e-9)); // the busy KBs' part only, never less than nothing
    }

    @Test
    void shouldFindNoNumberOfCoordinatorsWhenOneSweepExceedsItsBudget() {
        CapacityModel m = model(Map.of("coordinator.sweepCpuMsPerKbSec", 1.0));

        // 1,000 KBs x 1 ms/s = 1 core of sweep per coordinator, its whole budget (2 cores x 0.5)
        Map<String, Double> plan = m.plan(new CapacityModel.Load(1_000, 86_400, 1, 0, 0));

        assertThat(plan.get("coordinators")).isInfinite();
    }
}
