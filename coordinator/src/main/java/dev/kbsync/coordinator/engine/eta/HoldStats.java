package dev.kbsync.coordinator.engine.eta;

import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A KB's measured holds, as the scripts keep them in its {@code stats} hash (lib.lua, {@code recordHold}): per kind an
 * exponentially weighted mean and variance of how long grants were held ({@code <kind>:m}, {@code <kind>:v}, ms and
 * ms²) and how many were measured ({@code <kind>:n}); the same of how long a job's grant waited for a worker to
 * claim it ({@code claim:*}) and of how long a note job's grant took to take the notes behind it into its group commit
 * ({@code join:*}, from the grant); the group-commit size the workers ask for ({@code batch}: the
 * head plus its members), and when a ticket last left the queue ({@code moved}, Redis ms).
 */
public record HoldStats(
        Map<HoldKind, Hold> holds, Hold claim, Hold join, int batchSize, long movedMs, long legacyAvgMs) {
    /** Until a worker asked for a group commit: the workers' default. */
    public static final int DEFAULT_BATCH = 16;

    /** Until the first hold of a kind ended here: a typical note publish and a typical agent run. */
    static final long DEFAULT_NOTE_MS = 2_000;

    static final long DEFAULT_AGENT_MS = 30_000;

    /** About how many recent holds an exponentially weighted mean of weight 0.2 stands on ((2 - 0.2) / 0.2). */
    static final long EFFECTIVE_SAMPLES = 9;

    /** Nothing measured: no wait for a worker assumed. */
    static final Hold NO_CLAIM = new Hold(0, 0, 0);

    public static final HoldStats EMPTY = new HoldStats(Map.of(), NO_CLAIM, NO_CLAIM, DEFAULT_BATCH, 0, 0);

    /** Measured holds of one kind. */
    public record Hold(double meanMs, double varianceMs2, long samples) {
        public Hold {
            if (meanMs < 0 || varianceMs2 < 0 || samples < 0) {
                throw new IllegalArgumentException("negative hold statistics");
            }
        }

        /**
         * How far the measured mean may be off (its standard error): the spread over the number of holds it stands
         * on, at most {@link #EFFECTIVE_SAMPLES} (the exponential weighting forgets older ones); a guess counts as one.
         */
        public double meanErrorMs() {
            return Math.sqrt(varianceMs2 / Math.max(1, Math.min(samples, EFFECTIVE_SAMPLES)));
        }

        /**
         * A guess for a kind nothing was measured of yet: holds of that mean, spread as widely as an exponential
         * distribution of it is (the standard deviation equal to the mean), since nothing is known of their spread.
         */
        static Hold guess(double meanMs) {
            return new Hold(meanMs, meanMs * meanMs, 0);
        }
    }

    public HoldStats {
        holds = Map.copyOf(holds);
        claim = claim == null ? NO_CLAIM : claim;
        join = join == null || join.samples() == 0 ? claim : join;
        if (batchSize < 1) {
            batchSize = DEFAULT_BATCH;
        }
    }

    /**
     * The hold to expect of {@code w}: what was measured of its kind on this KB; else, while nothing of its kind was,
     * the KB's average hold of any kind (for a raw lease at most its declared TTL); on a KB where nothing was measured
     * yet, a raw lease's declared TTL or a job kind's default.
     */
    public Hold typical(Waiting w) {
        Hold measured = holds.get(w.kind());
        if (measured != null && measured.samples() > 0) {
            return measured;
        }
        if (legacyAvgMs > 0) {
            return Hold.guess(
                    w.kind() == HoldKind.LEASE && w.ttlMs() > 0 ? Math.min(legacyAvgMs, w.ttlMs()) : legacyAvgMs);
        }
        return switch (w.kind()) {
            case LEASE -> Hold.guess(w.ttlMs() > 0 ? w.ttlMs() : legacyAvgMs);
            case NOTE -> Hold.guess(DEFAULT_NOTE_MS);
            case AGENT -> Hold.guess(DEFAULT_AGENT_MS);
        };
    }

    /** The script's map (numbers; absent fields: nothing measured). */
    public static HoldStats fromJson(JsonObject s) {
        if (s == null) {
            return EMPTY;
        }
        Map<HoldKind, Hold> holds = new EnumMap<>(HoldKind.class);
        for (HoldKind kind : HoldKind.values()) {
            hold(s, kind.wire()).ifPresent(h -> holds.put(kind, h));
        }
        return new HoldStats(
                holds,
                hold(s, "claim").orElse(NO_CLAIM),
                hold(s, "join").orElse(null),
                (int) num(s, "batch"),
                num(s, "moved"),
                num(s, "avg"));
    }

    private static Optional<Hold> hold(JsonObject s, String kind) {
        long n = num(s, kind + ":n");
        return n > 0
                ? Optional.of(new Hold(Math.max(0, num(s, kind + ":m")), Math.max(0, num(s, kind + ":v")), n))
                : Optional.empty();
    }

    private static long num(JsonObject s, String field) {
        Object v = s.getValue(field);
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof String text && !text.isEmpty()) {
            return (long) Double.parseDouble(text);
        }
        return 0;
    }
}
