package dev.kbsync.faults.check;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What clients were told: never a 5xx other than 503 (an unavailable dependency, with {@code Retry-After}), and a waiting job's or lease's
 * position never goes up while it keeps waiting. Positions are compared within one Redis history only: a killed Redis
 * (restarted on its AOF, or replaced by a replica in a failover) may come back without its last writes (an fsync a
 * second behind, a step no replica confirmed), and a job whose step it lost is queued behind more again.
 */
final class ReadCheck {
    /** What a client records in a 503's state when the answer had no {@code Retry-After}. */
    static final String NO_RETRY_AFTER = dev.kbsync.faults.client.Answer.NO_RETRY_AFTER;

    private static final Set<String> WAITING = Set.of("queued", "waiting");
    /** How the nemeses name a fault that kills Redis (a restart on its AOF, or a master replaced by a replica). */
    private static final String REDIS_KILL = "kill -9 redis";

    private final Observations observations;
    private final List<String> violations;
    int unavailable;

    ReadCheck(Observations observations, List<String> violations) {
        this.observations = observations;
        this.violations = violations;
    }

    void run() {
        Map<String, Integer> lastAhead = new HashMap<>();
        for (Event e : observations.history()) {
            if (e.status() == 503) {
                unavailable++;
                if (e.state().contains(NO_RETRY_AFTER)) {
                    violations.add("503 without Retry-After to " + e.process() + " on " + e.kind() + " " + e.kb());
                }
            } else if (e.status() >= 500) {
                violations.add(
                        "HTTP " + e.status() + " to " + e.process() + " on " + e.kind() + " " + e.kb() + " " + e.id());
            }
            if (e.kind() == Kind.FAULT && e.type() == Type.INVOKE && e.state().startsWith(REDIS_KILL)) {
                lastAhead.clear();
            }
            if (e.kind() != Kind.READ || e.type() != Type.OK) {
                continue;
            }
            if (!WAITING.contains(e.state()) || e.ahead() < 0) {
                lastAhead.remove(e.id());
                continue;
            }
            Integer before = lastAhead.put(e.id(), e.ahead());
            if (before != null && e.ahead() > before) {
                violations.add("position of " + e.id() + " went up from " + before + " to " + e.ahead());
            }
        }
    }
}
