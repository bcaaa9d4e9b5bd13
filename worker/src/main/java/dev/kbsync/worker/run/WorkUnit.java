package dev.kbsync.worker.run;

import dev.kbsync.git.Author;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One write to publish: how to (re)apply it to a fresh checkout, who wrote it, its trailers, and a last check before push. */
public interface WorkUnit {
    /** The value of the {@code Kbsync-Job} trailer, used for the exactly-once check. */
    String id();

    /**
     * The {@code Kbsync-Job} values of earlier units whose commit counts as this one's, nearest first: the failed job a
     * retry submits again (it may have landed although it reads failed), and the jobs that one retried in turn (a retry
     * of a retry that never ran); then the journal jobs restored onto a job (a degraded coordinator's jobs that carried
     * its request). The exactly-once check looks for them too, within the same bound. Empty by default.
     */
    default List<String> earlier() {
        return List.of();
    }

    Author author();

    /** Trailers to add besides {@code Kbsync-Job} and the fencing trailers. */
    Map<String, String> trailers();

    /**
     * The grant the unit publishes under: its commits carry its {@code Kbsync-Fence} and {@code Kbsync-Kb}, and it is
     * refused ({@code STALE_FENCE}) on a branch already fenced at or above it. Empty: unfenced (a degraded library
     * session), the exactly-once search then walks back at most {@link dev.kbsync.git.TrailerBound#DEFAULT_CAP}
     * commits.
     */
    default Optional<Fencing> fencing() {
        return Optional.empty();
    }

    /**
     * Whether the cycle waits out a remote that cannot be reached for now ({@link #pauseForRemote}) instead of failing at
     * once. By default it does not.
     */
    default boolean waitsForRemote() {
        return false;
    }

    /**
     * Pauses up to {@code wait.pause()} before the cycle tries an unreachable remote again: true to try again, false to
     * give up (the unit's time is up). Throws {@link UnitAbortedException} if the unit must stop (lease lost, shutdown).
     * Only called if {@link #waitsForRemote()}.
     */
    default boolean pauseForRemote(RemoteWait wait) {
        return false;
    }

    /** The remote answered again after the unit paused for it ({@link #pauseForRemote}): the wait is over. */
    default void remoteAnswered() {}

    /**
     * Applies the change to a checkout that equals the remote; called again after every rejected push. {@code names}:
     * the checkout's case index, for a name the unit chooses itself.
     */
    ApplyResult apply(Path workTree, CaseIndex names);

    /** Throws if the unit must not be pushed any more (lease lost, coordinator gone in fail mode, shutdown). */
    void checkBeforePush();

    /**
     * Starts {@link #checkBeforePush()} now, for a push that follows shortly (after the last commit is written): the
     * push waits for the handle's {@link PrePushCheck#await()}, which throws as the check would. By default the check
     * runs in {@code await}.
     */
    default PrePushCheck startCheckBeforePush() {
        return this::checkBeforePush;
    }
}
