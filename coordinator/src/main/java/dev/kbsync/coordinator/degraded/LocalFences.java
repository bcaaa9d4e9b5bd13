package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.KbId;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The fencing tokens a coordinator hands out from its journal while Redis is unreachable, per KB following the clock
 * as Redis's do ({@code nextFence} in lib.lua): {@code max(last token + 1, coordinator clock in ms)}. Every token
 * handed out is in the journal before its worker learns it, and the last ones outlive the journal's truncation (its
 * fences file), so a restarted coordinator never hands a token out twice. Each KB's highest token is raised into
 * Redis ({@code fence.lua}) before the KB's journal jobs are restored, so every later Redis grant is above it. Thread-
 * safe.
 */
final class LocalFences {
    private final Clock clock;
    private final Map<KbId, Long> last = new HashMap<>(); // guarded by this
    private final Map<KbId, Long> raised = new HashMap<>(); // guarded by this: known to be at or below Redis's counter

    LocalFences(Clock clock, Map<KbId, Long> kept) {
        this.clock = clock;
        last.putAll(kept);
        raised.putAll(kept); // kept over a truncation: every one was raised into Redis before it
    }

    /** The KB's next token. */
    synchronized long next(KbId kb) {
        long token = Math.max(last.getOrDefault(kb, 0L) + 1, clock.millis());
        last.put(kb, token);
        return token;
    }

    /** A token read back from the journal (handed out by an earlier process on it). */
    synchronized void seen(KbId kb, long token) {
        last.merge(kb, token, Math::max);
    }

    /** Each KB's highest token (for the fences file). */
    synchronized Map<KbId, Long> snapshot() {
        return Map.copyOf(last);
    }

    /** The KBs whose highest token Redis's counter may not have reached yet, with that token. */
    synchronized Map<KbId, Long> unraised() {
        Map<KbId, Long> open = new HashMap<>();
        last.forEach((kb, token) -> {
            if (raised.getOrDefault(kb, 0L) < token) {
                open.put(kb, token);
            }
        });
        return open;
    }

    /** Redis's counter of {@code kb} is at or above {@code token} now. */
    synchronized void raised(KbId kb, long token) {
        raised.merge(kb, token, Math::max);
    }

    /** True when Redis's counters are at or above every token handed out. */
    synchronized boolean allRaised() {
        return unraised().isEmpty();
    }
}
