package dev.kbsync.faults.check;

import dev.kbsync.faults.history.Event;
import java.util.ArrayList;
import java.util.List;

/** Judges one run's {@link Observations}: pure code, no I/O. */
public final class Checker {
    private Checker() {}

    public static Verdict check(Observations observations) {
        List<String> violations = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        JobCheck jobs = new JobCheck(observations, violations);
        jobs.run();
        LeaseCheck leases = new LeaseCheck(observations, violations, warnings);
        leases.run();
        ReadCheck reads = new ReadCheck(observations, violations);
        reads.run();
        String nemesis = observations.expected().nemesis();
        if (nemesis != null
                && observations.history().stream()
                        .noneMatch(e -> e.kind() == Event.Kind.FAULT && e.type() == Event.Type.INVOKE)) {
            warnings.add("the nemesis (" + nemesis + ") never injected a fault: the run tested nothing of it");
        }
        long drain = 0;
        for (var entry : observations.drainMillis().entrySet()) {
            if (entry.getValue() < 0) {
                violations.add("the queue of " + entry.getKey() + " did not drain");
            }
            drain = Math.max(drain, entry.getValue());
        }
        int ops = (int) observations.history().stream()
                .filter(e -> e.type() == Event.Type.INVOKE)
                .filter(e -> e.kind() != Event.Kind.FAULT)
                .count();
        Figures figures = new Figures(
                ops,
                jobs.acknowledged,
                jobs.landed,
                jobs.duplicated,
                jobs.lost,
                jobs.failed,
                jobs.failedLanded,
                leases.overlaps,
                leases.longestGrantGapMillis,
                leases.recoveryMillis,
                drain,
                reads.unavailable);
        return new Verdict(figures, violations, warnings);
    }
}
