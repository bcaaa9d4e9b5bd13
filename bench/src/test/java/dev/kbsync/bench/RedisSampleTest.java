package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A sample's own walk over the keys ({@code SCAN}, {@code PTTL}, {@code MEMORY USAGE}) costs Redis CPU and network
 * bytes: it stays outside the stretch between a start and an end sample, whose {@code INFO} readings bound it.
 */
class RedisSampleTest {
    /** A master that does nothing but answer the meter: each walk over its keys costs 0.25 s of CPU and 10,000 bytes. */
    private static final class WalkedOnly implements RedisSample.Master {
        private double cpu;
        private long bytesOut;

        @Override
        public String info() {
            return String.join(
                    "\r\n",
                    "used_cpu_sys:0",
                    "used_cpu_user:" + cpu,
                    "total_net_input_bytes:0",
                    "total_net_output_bytes:" + bytesOut,
                    "cmdstat_scan:calls=3,usec=30,usec_per_call=10.00,rejected_calls=0,failed_calls=0",
                    "");
        }

        @Override
        public long dataBytes() {
            cpu += 0.25;
            bytesOut += 10_000;
            return 4_096;
        }
    }

    @Test
    void shouldLeaveTheMetersOwnKeyWalksOutOfTheStretch() {
        WalkedOnly master = new WalkedOnly();

        RedisSample start = RedisSample.start(master);
        RedisSample end = RedisSample.end(master);
        RedisSample used = end.minus(start);

        assertThat(used.cpuSeconds()).isZero();
        assertThat(used.bytesOut()).isZero();
        assertThat(end.dataMemory()).isEqualTo(4_096);
    }
}
