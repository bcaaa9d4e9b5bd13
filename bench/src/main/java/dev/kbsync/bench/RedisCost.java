package dev.kbsync.bench;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What a row cost Redis per operation (a lock+unlock, a grant+release), from {@code INFO} before and after it: the
 * scripts it ran, the time Redis spent in them, the commands (those inside scripts included) and Redis's CPU. The
 * whole row is counted (warm-up, and for a coordinator its start and background steps), divided by every operation
 * it ran.
 */
final class RedisCost {
    private RedisCost() {}

    static Measurement around(BenchContext ctx, long operations, Callable<Measurement> row) throws Exception {
        List<Integer> port = List.of(ctx.redisPort());
        RedisSample before = RedisSample.start(port);
        Measurement measured = row.call();
        String note = note(RedisSample.end(port).minus(before), operations);
        return measured.withNote(measured.note().isEmpty() ? note : measured.note() + "; " + note);
    }

    static String note(RedisSample used, long operations) {
        double n = operations;
        return String.format(
                Locale.ROOT,
                "Redis per op: %.2f scripts, %.1f µs in them, %.1f commands, %.1f µs of CPU",
                used.scripts() / n,
                used.scriptMicros() / n,
                used.calls() / n,
                used.cpuSeconds() * 1e6 / n);
    }
}
