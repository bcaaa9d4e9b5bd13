package dev.kbsync.bench;

import dev.kbsync.redis.RespClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What Redis did, summed over the masters on {@code ports}, from {@code INFO all}: commands run ({@code calls}, those
 * inside scripts included, the {@code INFO} calls of this meter excluded), script calls among them, CPU seconds of the
 * server (user + system), bytes in and out, and {@code used_memory}. Differences of two samples ({@link #minus}) are
 * what a load cost.
 */
record RedisSample(long calls, long scripts, double cpuSeconds, long bytesIn, long bytesOut, long usedMemory) {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    static RedisSample of(List<Integer> ports) {
        RedisSample sum = new RedisSample(0, 0, 0, 0, 0, 0);
        for (int port : ports) {
            sum = sum.plus(of(String.valueOf(RespClient.once(port, TIMEOUT, "INFO", "all"))));
        }
        return sum;
    }

    static RedisSample of(String info) {
        long calls = 0;
        long scripts = 0;
        for (String line : info.lines().toList()) {
            if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
                long n = Long.parseLong(line.replaceFirst(".*?calls=(\\d+).*", "$1"));
                calls += n;
                String name =
                        line.substring("cmdstat_".length(), line.indexOf(':')).toLowerCase(Locale.ROOT);
                if (name.startsWith("eval") || name.startsWith("fcall")) {
                    scripts += n;
                }
            }
        }
        return new RedisSample(
                calls,
                scripts,
                number(info, "used_cpu_user") + number(info, "used_cpu_sys"),
                (long) number(info, "total_net_input_bytes"),
                (long) number(info, "total_net_output_bytes"),
                (long) number(info, "used_memory"));
    }

    private static double number(String info, String key) {
        return Double.parseDouble(
                RespClient.infoField(info, key).orElseThrow(() -> new IllegalStateException("no " + key + " in INFO")));
    }

    RedisSample plus(RedisSample o) {
        return new RedisSample(
                calls + o.calls,
                scripts + o.scripts,
                cpuSeconds + o.cpuSeconds,
                bytesIn + o.bytesIn,
                bytesOut + o.bytesOut,
                usedMemory + o.usedMemory);
    }

    RedisSample minus(RedisSample o) {
        return new RedisSample(
                calls - o.calls,
                scripts - o.scripts,
                cpuSeconds - o.cpuSeconds,
                bytesIn - o.bytesIn,
                bytesOut - o.bytesOut,
                usedMemory - o.usedMemory);
    }
}
