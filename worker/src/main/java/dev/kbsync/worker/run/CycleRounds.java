package dev.kbsync.worker.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A publish cycle's retries so far ({@link PublishCycle}): {@code rounds} bounds the loop, {@code rejections} counts
 * non-fast-forward rejections; and what its attempts found landed.
 */
final class CycleRounds {
    int rounds;
    int rejections;
    boolean behind;
    /** The push that failed in transport, until a sync can tell whether it landed (null: none). */
    Uncertain uncertain;
    /** Whether this cycle already cloned its checkout again after finding its history damaged (once at most). */
    boolean recloned;
    /** The wait for a remote that cannot be reached for now: it takes no round. */
    final RemoteOutage outage;
    /** The outcomes so far of the latest attempt that synced, in the units' order. */
    List<Outcome> outcomes = List.of();
    /** The units earlier attempts found on the remote, by index: they stay landed (a push is never forced). */
    final Map<Integer, Outcome> landedBefore = new HashMap<>();

    CycleRounds(CycleObserver observer) {
        outage = new RemoteOutage(observer);
    }

    /** An attempt synced: {@code next} fills in with its outcomes; the attempts before keep their landed units. */
    void synced(List<Outcome> next) {
        landedBefore.putAll(landedByIndex());
        outcomes = next;
    }

    /** The units the latest sync (or an earlier one) found on the remote, or whose push landed, by id. */
    Map<String, Outcome> landed(List<? extends WorkUnit> units) {
        Map<String, Outcome> landed = new LinkedHashMap<>();
        landedByIndex().forEach((i, outcome) -> landed.put(units.get(i).id(), outcome));
        return landed;
    }

    /** A sync failed: the units found on the remote (or whose push landed) keep that outcome, the others fail. */
    List<Outcome> landedOr(Outcome.Failed failure, int units) {
        List<Outcome> ends = new ArrayList<>(Collections.nCopies(units, failure));
        landedByIndex().forEach(ends::set);
        return ends;
    }

    /**
     * The unit had to stop while the remote could not be reached ({@code gaveUp}: REMOTE_UNAVAILABLE): as {@link
     * #landedOr}, but the units whose push failed in transport since the last sync that could tell read {@link
     * #PUSH_UNCERTAIN}: that push may have landed, and the job's end must say so.
     */
    List<Outcome> landedOrUncertain(Outcome.Failed gaveUp, int units) {
        List<Outcome> ends = landedOr(gaveUp, units);
        if (uncertain != null) {
            Outcome.Failed maybe = uncertain(uncertain.failure(), gaveUp);
            uncertain.batch().commits().keySet().forEach(i -> {
                if (ends.get(i) == gaveUp) {
                    ends.set(i, maybe);
                }
            });
        }
        return ends;
    }

    private Map<Integer, Outcome> landedByIndex() {
        Map<Integer, Outcome> landed = new TreeMap<>(landedBefore);
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof Outcome.AlreadyPublished || outcomes.get(i) instanceof Outcome.Published) {
                landed.put(i, outcomes.get(i));
            }
        }
        return landed;
    }

    /** A batch whose push failed in transport ({@code failure}: PUSH_FAILED): its commits may have landed. */
    record Uncertain(CycleBatch batch, Outcome.Failed failure) {}

    /** The code of a unit whose push failed in transport and may have landed: no sync could tell. */
    static final String PUSH_UNCERTAIN = "PUSH_UNCERTAIN";

    /**
     * A push that failed in transport ({@code pushFailed}) when no sync after it could reach the remote to tell whether
     * it landed: {@code PUSH_UNCERTAIN}, queued again while attempts remain, so that its next run finds its commit.
     */
    static Outcome.Failed uncertain(Outcome.Failed pushFailed) {
        return uncertain(pushFailed, "the remote could not be reached since to tell");
    }

    /** As {@link #uncertain(Outcome.Failed)}, when the unit then gave up waiting for the remote ({@code gaveUp}). */
    static Outcome.Failed uncertain(Outcome.Failed pushFailed, Outcome.Failed gaveUp) {
        return uncertain(pushFailed, "then " + gaveUp.error().message());
    }

    private static Outcome.Failed uncertain(Outcome.Failed pushFailed, String since) {
        return new Outcome.Failed(
                PUSH_UNCERTAIN,
                "the push failed in transport (" + pushFailed.error().message() + ") and may have landed; " + since
                        + ": the job's next run finds its commit, and so does a retry",
                pushFailed.pushRejections());
    }
}
