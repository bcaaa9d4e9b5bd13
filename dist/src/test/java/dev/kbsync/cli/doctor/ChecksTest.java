package dev.kbsync.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksTest {
    @Test
    void shouldJudgeTheClockSkewEitherWay() {
        assertThat(Clock.judge(12, Duration.ofMillis(3)))
                .isEqualTo(Check.pass("clock skew", "Redis is 12 ms ahead of this host (round trip 3 ms)"));
        assertThat(Clock.judge(-800, Duration.ofMillis(1)).status()).isEqualTo(Check.Status.WARN);
        assertThat(Clock.judge(-6_000, Duration.ofMillis(1)))
                .isEqualTo(Check.fail(
                        "clock skew",
                        "Redis is 6000 ms behind this host (round trip 1 ms); synchronise both clocks (NTP)"));
    }

    @Test
    void shouldWarnAboutARedisOlderThanTheTestedOnes() {
        assertThat(settings(Map.of("redis_version", "7.2.4")).version().status())
                .isEqualTo(Check.Status.PASS);
        assertThat(settings(Map.of("redis_version", "6.2.6")).version().status())
                .isEqualTo(Check.Status.PASS);
        assertThat(settings(Map.of("redis_version", "6.0.16")).version().status())
                .isEqualTo(Check.Status.WARN);
        assertThat(settings(Map.of()).version().status()).isEqualTo(Check.Status.WARN);
    }

    @Test
    void shouldAskForAppendfsyncEverysecOrAlways() {
        Check check = new RedisSettings("127.0.0.1:6379", Map.of("aof_enabled", "1"), "no").persistence();

        assertThat(check.status()).isEqualTo(Check.Status.WARN);
        assertThat(check.detail()).startsWith("AOF with appendfsync no");
    }

    @Test
    void shouldFailAConnectionToAReplica() {
        assertThat(settings(Map.of("role", "slave")).replicas())
                .isEqualTo(Check.fail("redis replication", "connected to a slave, not a master: writes will fail"));
    }

    @Test
    void shouldPrintOneAlignedLinePerCheck() {
        assertThat(Check.warn("redis replication", "no replica").line())
                .isEqualTo("warn  redis replication          no replica");
    }

    private static RedisSettings settings(Map<String, String> info) {
        return new RedisSettings("127.0.0.1:6379", info, "everysec");
    }
}
