package dev.kbsync.faults.check;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mutual exclusion as the clients saw it. A hold is confirmed when its release answered {@code released}: the lease
 * was the KB's grant from the moment its holder learned of the grant (the ACQUIRE's OK) to the moment it asked to
 * release (the RELEASE's INVOKE), a sub-interval of the real hold. No two confirmed holds of a KB may overlap, and
 * their order in time must be their token order. No grant token of a KB may be issued twice (to a lease or to a
 * commit's fence).
 */
final class LeaseCheck {
    private record Hold(String kb, String lease, long token, long from, long to) {}

    private final Observations observations;
    private final List<String> violations;
    int overlaps;
    long longestGrantGapMillis;
    long recoveryMillis = -1;

    LeaseCheck(Observations observations, List<String> violations) {
        this.observations = observations;
        this.violations = violations;
    }

    void run() {
        Map<String, Event> granted = new HashMap<>();
        Map<String, Event> releasing = new HashMap<>();
        Map<String, List<Hold>> holds = new HashMap<>();
        Map<String, List<Long>> grantTimes = new HashMap<>();
        Map<String, Map<Long, String>> tokens = new HashMap<>();
        observations
                .remotes()
                .values()
                .forEach(log -> log.commits().stream()
                        .filter(c -> c.fence() > 0)
                        .forEach(c -> issued(tokens, log.kb(), c.fence(), "commit " + c.sha())));
        List<Long> faults = new ArrayList<>();
        for (Event e : observations.history()) {
            if (e.kind() == Kind.FAULT && e.type() == Type.INVOKE) {
                faults.add(e.nanos());
            } else if (e.kind() == Kind.ACQUIRE && e.type() == Type.OK) {
                granted.put(e.id(), e);
                grantTimes.computeIfAbsent(e.kb(), k -> new ArrayList<>()).add(e.nanos());
                issued(tokens, e.kb(), e.token(), "lease " + e.id());
            } else if (e.kind() == Kind.RELEASE && e.type() == Type.INVOKE) {
                releasing.put(e.id(), e);
            } else if (e.kind() == Kind.RELEASE && e.type() == Type.OK && "released".equals(e.state())) {
                Event grant = granted.get(e.id());
                Event invoke = releasing.get(e.id());
                if (grant != null && invoke != null) {
                    holds.computeIfAbsent(e.kb(), k -> new ArrayList<>())
                            .add(new Hold(e.kb(), e.id(), grant.token(), grant.nanos(), invoke.nanos()));
                }
            }
        }
        holds.values().forEach(this::exclusive);
        for (long fault : faults) {
            for (List<Long> times : grantTimes.values()) {
                times.stream()
                        .filter(t -> t >= fault)
                        .findFirst()
                        .ifPresent(next -> recoveryMillis = Math.max(recoveryMillis, (next - fault) / 1_000_000));
            }
        }
        grantTimes.values().forEach(times -> {
            for (int i = 1; i < times.size(); i++) {
                longestGrantGapMillis = Math.max(longestGrantGapMillis, (times.get(i) - times.get(i - 1)) / 1_000_000);
            }
        });
    }

    private void issued(Map<String, Map<Long, String>> tokens, String kb, long token, String what) {
        String before = tokens.computeIfAbsent(kb, k -> new HashMap<>()).putIfAbsent(token, what);
        if (before != null) {
            violations.add("token " + token + " of " + kb + " issued twice: to " + before + " and to " + what);
        }
    }

    private void exclusive(List<Hold> holds) {
        List<Hold> byToken = new ArrayList<>(holds);
        byToken.sort(Comparator.comparingLong(Hold::token));
        for (int i = 0; i < byToken.size(); i++) {
            for (int j = i + 1; j < byToken.size(); j++) {
                Hold earlier = byToken.get(i);
                Hold later = byToken.get(j);
                if (later.from() < earlier.to()) {
                    overlaps++;
                    violations.add("holds of " + earlier.kb() + " overlap: lease " + earlier.lease() + " (token "
                            + earlier.token() + ") held until " + ms(earlier.to() - later.from())
                            + " ms after lease " + later.lease() + " (token " + later.token() + ") was granted");
                }
            }
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
