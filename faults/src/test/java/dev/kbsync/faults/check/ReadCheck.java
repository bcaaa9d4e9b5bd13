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
 * position never goes up while it keeps waiting.
 */
final class ReadCheck {
    /** What a client records in a 503's state when the answer had no {@code Retry-After}. */
    static final String NO_RETRY_AFTER = dev.kbsync.faults.client.Answer.NO_RETRY_AFTER;

    private static final Set<String> WAITING = Set.of("queued", "waiting");

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
