package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CheckTest {
    private static Measurement latency(String subject, long... nanos) {
        Stats stats = new Stats();
        for (long n : nanos) {
            stats.record(n);
        }
        return Measurement.of(subject, stats, nanos.length, 1_000_000_000L);
    }

    @Test
    void shouldMeetARatioTargetWhenKbsyncIsWithinTheBound() {
        Check check =
                Check.of(latency("kbsync", 3_000_000), latency("raw", 2_000_000), Target.ratioAtMost(Metric.P50, 2.0));

        assertThat(check.ratio()).isEqualTo("1.50x");
        assertThat(check.verdict()).isEqualTo("met (1.50x)");
    }

    @Test
    void shouldMissAnAtLeastTargetWhenKbsyncIsSlower() {
        Measurement kbsync = latency("kbsync", 1, 1);
        Measurement anchor = latency("raw", 1, 1, 1, 1);

        Check check = Check.of(kbsync, anchor, Target.ratioAtLeast(Metric.RATE, 0.9));

        assertThat(check.verdict()).isEqualTo("**not met** (0.50x)");
    }

    @Test
    void shouldCompareAbsoluteTargetsWithTheValueItself() {
        Check check = Check.absolute(Measurement.size("heap", 300, ""), Target.absoluteAtMost(Metric.MEBIBYTES, 256));

        assertThat(check.verdict()).isEqualTo("**not met** (300)");
        assertThat(check.target().describe()).isEqualTo("MiB <= 256");
    }

    @Test
    void shouldShowACountPerOpJustOverItsBoundAsOverIt() {
        Check check = Check.absolute(
                Measurement.perOp("commands", 501 / 500.0, ""), Target.absoluteAtMost(Metric.PER_OP, 1.0));

        assertThat(check.verdict()).isEqualTo("**not met** (1.002)");
    }
}
