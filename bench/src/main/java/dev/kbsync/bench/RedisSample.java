package dev.kbsync.bench;

import dev.kbsync.redis.RespClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What Redis did, summed over the masters on {@code ports}, from {@code INFO all}: commands run ({@code calls}, those
 * inside scripts included, the {@code INFO} calls of this meter excluded), script calls among them and the time Redis
 * spent running them (µs, the commands they call included), CPU seconds of the
 * server (user + system), bytes in and out, and the memory of the data: {@code MEMORY USAGE key SAMPLES 0} summed over
 * every key without a TTL (the records, queues and indexes that stay until a step or the sweep deletes them; keys that
 * expire by themselves, such as the submission rate windows, hold what the last minutes did, not what is kept) ({@code used_memory} moves with the clients' buffers and allocator state by tens of KiB between readings on
 * several masters with pooled connections, more than a few hundred small records weigh). This meter's own
 * {@code INFO}, {@code SCAN}, {@code PTTL} and {@code MEMORY} calls are not counted. Differences of a {@link #start}
 * and an {@link #end} sample ({@link #minus}) are what a load cost: the start sample walks the keys before it reads
 * {@code INFO}, the end sample after, so the walks' CPU and network bytes (a reply per key) stay outside the stretch;
 * inside it are only the start's {@code INFO} reply (some KiB of bytes out per master) and the end's {@code INFO} call.
 */
record RedisSample(
        long calls, long scripts, long scriptMicros, double cpuSeconds, long bytesIn, long bytesOut, long dataMemory) {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final java.util.Set<String> METER =
            java.util.Set.of("cmdstat_info", "cmdstat_scan", "cmdstat_memory|usage", "cmdstat_memory", "cmdstat_pttl");

    /** What a sample reads from one master: its {@code INFO all}, and the bytes of its kept keys (a walk over them). */
    interface Master {
        String info();

        long dataBytes();
    }

    /** The sample a measured stretch starts from. */
    static RedisSample start(List<Integer> ports) {
        return of(ports, true);
    }

    /** The sample a measured stretch ends at. */
    static RedisSample end(List<Integer> ports) {
        return of(ports, false);
    }

    private static RedisSample of(List<Integer> ports, boolean start) {
        RedisSample sum = new RedisSample(0, 0, 0, 0, 0, 0, 0);
        for (int port : ports) {
            try (RespClient redis = RespClient.connect(port, TIMEOUT)) {
                Master master = new Master() {
                    @Override
                    public String info() {
                        return String.valueOf(redis.call("INFO", "all"));
                    }

                    @Override
                    public long dataBytes() {
                        return RedisSample.dataBytes(redis);
                    }
                };
                sum = sum.plus(start ? start(master) : end(master));
            }
        }
        return sum;
    }

    /** The walk over the keys first, then {@code INFO}: the walk falls before the stretch. */
    static RedisSample start(Master master) {
        long data = master.dataBytes();
        return of(master.info(), data);
    }

    /** {@code INFO} first, then the walk over the keys: the walk falls after the stretch. */
    static RedisSample end(Master master) {
        String info = master.info();
        return of(info, master.dataBytes());
    }

    /** {@code MEMORY USAGE} of every key, nested values counted in full. */
    private static long dataBytes(RespClient redis) {
        long bytes = 0;
        String cursor = "0";
        do {
            List<?> page = (List<?>) redis.call("SCAN", cursor, "COUNT", "1000");
            cursor = String.valueOf(page.get(0));
            for (Object key : (List<?>) page.get(1)) {
                if (!Long.valueOf(-1).equals(redis.call("PTTL", String.valueOf(key)))) {
                    continue; // a key that expires by itself: a rate or duplicate window, a lock, a driver claim
                }
                Object usage = redis.call("MEMORY", "USAGE", String.valueOf(key), "SAMPLES", "0");
                bytes += usage instanceof Long n ? n : 0; // null: deleted meanwhile
            }
        } while (!cursor.equals("0"));
        return bytes;
    }

    static RedisSample of(String info, long dataBytes) {
        long calls = 0;
        long scripts = 0;
        long scriptMicros = 0;
        for (String line : info.lines().toList()) {
            if (line.startsWith("cmdstat_") && !METER.contains(line.substring(0, line.indexOf(':')))) {
                long n = Long.parseLong(line.replaceFirst(".*?calls=(\\d+).*", "$1"));
                calls += n;
                String name =
                        line.substring("cmdstat_".length(), line.indexOf(':')).toLowerCase(Locale.ROOT);
                if (name.startsWith("eval") || name.startsWith("fcall")) {
                    scripts += n;
                    scriptMicros += Long.parseLong(line.replaceFirst(".*?usec=(\\d+).*", "$1"));
                }
            }
        }
        return new RedisSample(
                calls,
                scripts,
                scriptMicros,
                number(info, "used_cpu_user") + number(info, "used_cpu_sys"),
                (long) number(info, "total_net_input_bytes"),
                (long) number(info, "total_net_output_bytes"),
                dataBytes);
    }

    private static double number(String info, String key) {
        return Double.parseDouble(
                RespClient.infoField(info, key).orElseThrow(() -> new IllegalStateException("no " + key + " in INFO")));
    }

    RedisSample plus(RedisSample o) {
        return new RedisSample(
                calls + o.calls,
                scripts + o.scripts,
                scriptMicros + o.scriptMicros,
                cpuSeconds + o.cpuSeconds,
                bytesIn + o.bytesIn,
                bytesOut + o.bytesOut,
                dataMemory + o.dataMemory);
    }

    RedisSample minus(RedisSample o) {
        return new RedisSample(
                calls - o.calls,
                scripts - o.scripts,
                scriptMicros - o.scriptMicros,
                cpuSeconds - o.cpuSeconds,
                bytesIn - o.bytesIn,
                bytesOut - o.bytesOut,
                dataMemory - o.dataMemory);
    }
}
