package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A row's Redis cost per operation, read from {@code INFO}: scripts, the time in them, commands, CPU. */
class RedisCostTest {
    private static String info(long evalshaCalls, long evalshaMicros, long hsetCalls, double cpu) {
        return String.join(
                "\r\n",
                "# CPU",
                "used_cpu_sys:" + cpu / 2,
                "used_cpu_user:" + cpu / 2,
                "# Stats",
                "total_net_input_bytes:100",
                "total_net_output_bytes:200",
                "# Commandstats",
                "cmdstat_evalsha:calls=" + evalshaCalls + ",usec=" + evalshaMicros
                        + ",usec_per_call=1.00,rejected_calls=0,failed_calls=0",
                "cmdstat_hset:calls=" + hsetCalls + ",usec=7,usec_per_call=0.50,rejected_calls=0,failed_calls=0",
                "cmdstat_info:calls=9,usec=900,usec_per_call=100.00,rejected_calls=0,failed_calls=0",
                "");
    }

    @Test
    void shouldCountTheScriptsTheTimeInThemTheCommandsAndTheCpuOfEachOperation() {
        RedisSample before = RedisSample.of(info(10, 1_000, 30, 1.0), 0);
        RedisSample after = RedisSample.of(info(2_010, 111_000, 8_030, 1.5), 0);

        RedisSample used = after.minus(before);

        assertThat(used.scripts()).isEqualTo(2_000);
        assertThat(used.scriptMicros()).isEqualTo(110_000);
        assertThat(used.calls()).isEqualTo(10_000);
        assertThat(RedisCost.note(used, 1_000))
                .isEqualTo("Redis per op: 2.00 scripts, 110.0 µs in them, 10.0 commands, 500.0 µs of CPU");
    }
}
