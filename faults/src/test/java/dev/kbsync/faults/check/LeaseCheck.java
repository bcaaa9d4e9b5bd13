package dev.kbsync.faults.check;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Mutual exclusion as the clients saw it. A hold is confirmed when its release answered {@code released}: the lease
 * was the KB's grant from the moment its holder learned of the grant (the ACQUIRE's OK) to the moment it asked to
 * release (the RELEASE's INVOKE), a sub-interval of the real hold. No two confirmed holds of a KB may overlap, and
 * their order in time must be their token order. No grant token of a KB may be issued twice: to two of a lease, a
 * commit's fence, and a job as the watcher's reads of it showed (a job and its own commit share theirs). After every fault, each KB whose holders kept asking is granted again while they ask, within the
 * scenario's bound where docs/reliability.md states one.
 */
final class LeaseCheck {
    private record Hold(String kb, String lease, long token, long from, long to) {}

    /**
     * Whom a token went to: a lease, a commit (carrying {@code jobs}), or a job (as its reads showed). A job's token
     * is also its commit's fence, and a job run again takes a new token: neither is a token issued twice.
     */
    private record Owner(String kind, String name, Set<String> jobs) {
        boolean same(Owner other) {
            if (kind.equals(other.kind)) {
                return name.equals(other.name);
            }
            return (kind.equals("commit") && other.kind.equals("job") && jobs.contains(other.name))
                    || (kind.equals("job") && other.kind.equals("commit") && other.jobs.contains(name));
        }

        @Override
        public String toString() {
            return kind + " " + name;
        }
    }

    private final Observations observations;
    private final List<String> violations;
    /** What the run reports without failing: a KB its holders asked for in vain after a fault. */
    private final List<String> warnings;

    int overlaps;
    long longestGrantGapMillis;
    long recoveryMillis = -1;

    LeaseCheck(Observations observations, List<String> violations, List<String> warnings) {
        this.observations = observations;
        this.violations = violations;
        this.warnings = warnings;
    }

    void run() {
        Map<String, Event> granted = new HashMap<>();
        Map<String, Event> releasing = new HashMap<>();
        Map<String, List<Hold>> holds = new HashMap<>();
        Map<String, List<Long>> grantTimes = new HashMap<>();
        Map<String, Map<Long, Owner>> tokens = new HashMap<>();
        observations
                .remotes()
                .values()
                .forEach(log -> log.commits().stream()
                        .filter(c -> c.fence() > 0)
                        .forEach(c -> issued(
                                tokens, log.kb(), c.fence(), new Owner("commit", c.sha(), Set.copyOf(c.jobs())))));
        List<Event> faults = new ArrayList<>();
        Map<String, List<Long>> asked = new HashMap<>();
        Map<String, List<Long>> served = new HashMap<>();
        Map<String, Event> lastRead = new HashMap<>();
        for (Event e : observations.history()) {
            if (movedOn(e, lastRead)) {
                served.computeIfAbsent(e.kb(), k -> new ArrayList<>()).add(e.nanos());
            }
            if (e.kind() == Kind.ACQUIRE && !e.kb().isEmpty()) {
                asked.computeIfAbsent(e.kb(), k -> new ArrayList<>()).add(e.nanos());
            }
            if (e.kind() == Kind.FAULT && e.type() == Type.INVOKE) {
                faults.add(e);
            } else if (e.kind() == Kind.ACQUIRE && e.type() == Type.OK) {
                granted.put(e.id(), e);
                grantTimes.computeIfAbsent(e.kb(), k -> new ArrayList<>()).add(e.nanos());
                served.computeIfAbsent(e.kb(), k -> new ArrayList<>()).add(e.nanos());
                issued(tokens, e.kb(), e.token(), new Owner("lease", e.id(), Set.of()));
            } else if (e.kind() == Kind.READ && e.type() == Type.OK && e.token() > 0 && !e.id().isEmpty()) {
                issued(tokens, e.kb(), e.token(), new Owner("job", e.id(), Set.of()));
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
        Expected expected = observations.expected();
        for (var kb : new TreeMap<>(asked).entrySet()) {
            long lastAsked = kb.getValue().get(kb.getValue().size() - 1);
            List<Long> grants = grantTimes.getOrDefault(kb.getKey(), List.of());
            for (int i = 0; i < faults.size(); i++) {
                Event fault = faults.get(i);
                Optional<Long> next =
                        grants.stream().filter(t -> t >= fault.nanos()).findFirst();
                if (next.isEmpty()) {
                    // reported once, from the first fault the KB never recovered from
                    if (lastAsked > fault.nanos()) {
                        warnings.add("no lease of " + kb.getKey() + " was granted after fault '" + fault.state()
                                + "' (its holders asked for " + ms(lastAsked - fault.nanos()) + " ms more)");
                    }
                    break;
                }
                recoveryMillis = Math.max(recoveryMillis, ms(next.get() - fault.nanos()));
                // The bound is held to the KB's first new grant to anyone: a lease holder's, a job's fresh token,
                // or the queue moving on (a waiter's position going down); a holder's own grant also waits for the
                // jobs queued ahead of it. A later fault before it is the one it is held to.
                long moved = served.getOrDefault(kb.getKey(), List.of()).stream()
                        .filter(t -> t >= fault.nanos())
                        .findFirst()
                        .orElse(next.get());
                long took = ms(moved - fault.nanos());
                boolean superseded = i + 1 < faults.size() && faults.get(i + 1).nanos() <= moved;
                boolean bounded =
                        expected.recoveryBoundMillis() >= 0 && fault.state().startsWith(expected.recoveryAfter());
                if (bounded && !superseded && took > expected.recoveryBoundMillis()) {
                    violations.add(kb.getKey() + " granted again " + took + " ms after fault '" + fault.state()
                            + "', over the " + expected.recoveryBoundMillis() + " ms docs/reliability.md allows");
                }
            }
        }
        grantTimes.values().forEach(times -> {
            for (int i = 1; i < times.size(); i++) {
                longestGrantGapMillis = Math.max(longestGrantGapMillis, (times.get(i) - times.get(i - 1)) / 1_000_000);
            }
        });
    }

    /**
     * Whether a read shows its KB granted anew: a job (or lease) read under a token other than its previous read's
     * (granted, or granted again after its grant lapsed), or a waiter's position lower than at its previous read.
     */
    private static boolean movedOn(Event e, Map<String, Event> lastRead) {
        if (e.kind() != Kind.READ || e.type() != Type.OK || e.id().isEmpty()) {
            return false;
        }
        Event before = lastRead.put(e.id(), e);
        if (before == null) {
            return false;
        }
        boolean regranted = e.token() > 0 && e.token() != before.token();
        boolean advanced = e.ahead() >= 0 && before.ahead() >= 0 && e.ahead() < before.ahead();
        return regranted || advanced;
    }

    private void issued(Map<String, Map<Long, Owner>> tokens, String kb, long token, Owner what) {
        Owner before = tokens.computeIfAbsent(kb, k -> new HashMap<>()).putIfAbsent(token, what);
        if (before != null && !before.same(what)) {
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
