package dev.kbsync.coordinator.engine.eta;

import java.util.List;

/**
 * How long a waiting ticket will wait: a pure function of what is stored about its KB, so that every coordinator, the
 * job's record, its events and the dashboard show the same value, and the value changes only when the queue does.
 *
 * <p>The wait is counted from the <em>reference time</em>: the last change of the ticket's place (when it joined, when
 * a ticket left the queue, or when the grant changed hands), never "now". It is the sum of
 *
 * <ul>
 *   <li>the current holder's remaining hold: its kind's typical hold less what it has held by the reference time
 *       (at least {@link #OVERRUN} of the typical hold once it overran it); a raw lease's remaining hold ends at the
 *       latest when its grant expires unless renewed (its declared TTL);
 *   <li>one typical hold per ticket waiting ahead (raw leases and agent jobs), except that consecutive note jobs
 *       cost one note hold per group commit (a head and up to {@code batch - 1} members run under one grant); notes
 *       right behind a note holder that has not taken its members yet join its group commit and cost nothing.
 * </ul>
 *
 * A note job that will itself join a group commit ahead of it waits only for what comes before that group commit's
 * grant. A job waits, in addition, for a worker to claim its grant (the KB's measured claim wait), and a note that
 * joins a group commit for that group commit's head to take its members (the measured wait from a note grant to its
 * members taken, which includes the head's claim). The holds are independent, each with its measured mean and variance, so the band's upper end is the mean
 * plus {@link #Z90} standard deviations of the sum, which also counts the uncertainty of the measured means (see
 * {@link HoldStats.Hold#meanErrorMs()}). Only the first {@link #SCANNED} places ahead are looked at; a
 * ticket further back gets their cost scaled to its place.
 */
public final class EtaModel {
    /** Places ahead that are looked at one by one (the scripts read at most these many tickets). */
    public static final int SCANNED = 32;

    /** The 90th percentile of a normal distribution, in standard deviations. */
    static final double Z90 = 1.2816;

    /** A holder past its typical hold is expected to hold a quarter of it more. */
    static final double OVERRUN = 0.25;

    private EtaModel() {}

    /**
     * The estimate for a ticket of kind {@code me} with {@code placesAhead} tickets before it (the holder and running
     * group-commit members included), of which {@code waitingAhead} are the queued tickets among the first
     * {@code min(placesAhead, SCANNED)} places, in queue order.
     */
    public static Eta estimate(
            HoldKind me,
            long placesAhead,
            Holding holder,
            List<Waiting> waitingAhead,
            long referenceMs,
            HoldStats stats) {
        if (placesAhead <= 0) {
            return Eta.NONE;
        }
        Sum fixed = new Sum();
        int room = 0;
        if (holder != null) {
            HoldStats.Hold h = stats.typical(holder.holder());
            double elapsed = Math.max(0, referenceMs - holder.grantedMs());
            double remaining = Math.max(h.meanMs() - elapsed, h.meanMs() * OVERRUN);
            if (holder.holder().kind() == HoldKind.LEASE && holder.expiresMs() > 0) {
                remaining = Math.min(remaining, Math.max(0, holder.expiresMs() - referenceMs));
            }
            fixed.add(remaining, h, holder.holder().kind());
            room = holder.batchOpen() ? stats.batchSize() - 1 : 0;
        }
        Sum rows = new Sum();
        Sum beforeOpenBatch = new Sum(); // the holder's own group commit: it takes its members as soon as it runs
        for (Waiting w : waitingAhead) {
            if (w.kind() == HoldKind.NOTE && room > 0) {
                room--;
                continue;
            }
            if (w.kind() == HoldKind.NOTE) {
                beforeOpenBatch = fixed.plus(rows, 1);
                room = stats.batchSize() - 1;
            } else {
                room = 0;
            }
            HoldStats.Hold h = stats.typical(w);
            rows.add(h.meanMs(), h, w.kind());
        }
        long scanned = Math.min(placesAhead, SCANNED);
        boolean member = placesAhead == scanned && me == HoldKind.NOTE && room > 0;
        Sum wait = member
                ? beforeOpenBatch // runs as soon as that group commit's head takes its members
                : fixed.plus(rows, (double) placesAhead / scanned);
        if (me != HoldKind.LEASE) { // a job runs once a worker claimed its grant, a member once its head took it
            wait.addClaim(member ? stats.join() : stats.claim());
        }
        return band(wait);
    }

    private static Eta band(Sum s) {
        long eta = Math.round(s.mean);
        double variance = s.variance;
        for (double error : s.meanError) {
            variance += error * error;
        }
        return new Eta(eta, Math.max(eta, Math.round(s.mean + Z90 * Math.sqrt(variance))));
    }

    /**
     * Holds are independent of each other: their means and variances add up. The measured means are uncertain too,
     * and that error is the same for every hold of a kind: it adds up per kind before it is squared.
     */
    private static final class Sum {
        double mean;
        double variance;
        /** Per kind, and last the claim wait. */
        final double[] meanError = new double[HoldKind.values().length + 1];

        void add(double m, HoldStats.Hold h, HoldKind kind) {
            mean += m;
            variance += h.varianceMs2();
            meanError[kind.ordinal()] += h.meanErrorMs();
        }

        void addClaim(HoldStats.Hold claim) {
            mean += claim.meanMs();
            variance += claim.varianceMs2();
            meanError[meanError.length - 1] += claim.meanErrorMs();
        }

        Sum copy() {
            return plus(new Sum(), 0);
        }

        Sum plus(Sum other, double scale) {
            Sum c = new Sum();
            c.mean = mean + other.mean * scale;
            c.variance = variance + other.variance * scale;
            for (int k = 0; k < meanError.length; k++) {
                c.meanError[k] = meanError[k] + other.meanError[k] * scale;
            }
            return c;
        }
    }
}
