package dev.kbsync.worker.run;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobKind;
import dev.kbsync.git.Author;
import dev.kbsync.git.Secrets;
import dev.kbsync.worker.apply.Applier;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.apply.StopSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** A coordinator job as a {@link WorkUnit}: fenced by its lease, checked against the lease right before push. */
final class JobUnit implements WorkUnit {
    /** How often a wait for the remote looks whether the worker began to stop. */
    private static final Duration SLICE = Duration.ofMillis(250);

    private final Assignment assignment;
    private final Applier applier;
    private final Author author;
    private final LeaseKeeper keeper;
    private final BooleanSupplier abandoning;
    private final Runnable onRemoteWait;
    private volatile String answer;

    /** {@code onRemoteWait}: run on the job's thread before each pause for the remote ({@link #pauseForRemote}). */
    JobUnit(
            Assignment assignment,
            Applier applier,
            Author author,
            LeaseKeeper keeper,
            BooleanSupplier abandoning,
            Runnable onRemoteWait) {
        this.assignment = assignment;
        this.applier = applier;
        this.author = author;
        this.keeper = keeper;
        this.abandoning = abandoning;
        this.onRemoteWait = onRemoteWait;
    }

    @Override
    public String id() {
        return assignment.job().id();
    }

    /**
     * A retry's chain of failed or cancelled jobs (see {@link WorkUnit#earlier}); the coordinator queued it with the
     * first token of the job it retries, which that one took from its own, and so on. Then the journal jobs restored
     * onto it ({@link dev.kbsync.api.Job#restoredFrom}), whose first tokens its first token is no later than.
     */
    @Override
    public List<String> earlier() {
        List<String> chain = assignment.job().retryChain();
        List<String> restored = assignment.job().restoredFrom();
        if (restored.isEmpty()) {
            return chain;
        }
        List<String> earlier = new ArrayList<>(chain);
        earlier.addAll(restored);
        return earlier;
    }

    @Override
    public Author author() {
        return author;
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }

    @Override
    public Optional<Fencing> fencing() {
        long token = assignment.lease().fencingToken();
        Long first = assignment.job().firstFencingToken();
        long firstToken = first == null || first <= 0 || first > token ? token : first;
        return Optional.of(new Fencing(assignment.kb().id().value(), token, firstToken, false));
    }

    @Override
    public ApplyResult apply(Path workTree, CaseIndex names) {
        keeper.doing(assignment.job().kind() == JobKind.AGENT ? "running the agent" : "writing the note");
        ApplyResult result = applier.apply(workTree, assignment.job(), assignment.kb(), keeper.stop(), names);
        keeper.doing("committing");
        keeper.stop().stopped().ifPresent(stop -> {
            throw new UnitAbortedException(stop.code(), stop.message());
        });
        answer = result instanceof ApplyResult.Changed changed ? changed.answer() : null;
        return result;
    }

    /** What the applier answered the last time it ran for this job (an agent's output), or null. */
    String answer() {
        return answer;
    }

    /** A job waits for its KB's remote until its grant's deadline (less the margin), or until its worker stops. */
    @Override
    public boolean waitsForRemote() {
        return true;
    }

    /**
     * Says so in the heartbeats ({@link RemoteWait#says}: the first one of a wait at once), and waits on the lease's
     * stop signal in slices (a stopping worker is noticed within {@link #SLICE}): the deadline
     * near, or the grace of a stopping worker over, gives up (the job is reported REMOTE_UNAVAILABLE and runs again
     * while it has attempts left, on this or another worker); a lost lease throws as anywhere else. Tells the job's
     * runner first (its worker lets another loop poll meanwhile).
     */
    @Override
    public boolean pauseForRemote(RemoteWait wait) {
        keeper.waitingForRemote(wait.says(Secrets.mask(assignment.kb().remote())));
        onRemoteWait.run();
        long until = System.nanoTime() + wait.pause().toNanos();
        while (true) {
            if (abandoning.getAsBoolean()) {
                return false;
            }
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            Optional<StopSignal.Stop> stop = keeper.stop().await(Duration.ofNanos(Math.min(left, SLICE.toNanos())));
            if (stop.isPresent()) {
                // the deadline near, or the grace of a stopping worker over (it fires WORKER_SHUTDOWN): give it back
                if (UnitAbortedException.MAX_HOLD_EXCEEDED.equals(stop.get().code()) || abandoning.getAsBoolean()) {
                    return false;
                }
                throw new UnitAbortedException(stop.get().code(), stop.get().message());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new UnitAbortedException(
                        UnitAbortedException.WORKER_SHUTDOWN, "interrupted while waiting for the remote");
            }
        }
    }

    /** Says again what the job did before its wait (syncing, or in the push). */
    @Override
    public void remoteAnswered() {
        keeper.remoteAnswered();
    }

    @Override
    public void checkBeforePush() {
        throwIfAbandoning();
        keeper.checkBeforePush();
        pushing();
    }

    /** The lease's check runs while the last commit is written; a shutdown begun meanwhile still stops the push. */
    @Override
    public PrePushCheck startCheckBeforePush() {
        throwIfAbandoning();
        PrePushCheck lease = keeper.startCheckBeforePush();
        return () -> {
            throwIfAbandoning();
            lease.await();
            pushing();
        };
    }

    /** Until the next apply: the push, and after a rejected or failed push the sync that retries it. */
    private void pushing() {
        keeper.doing("in the push to " + Secrets.mask(assignment.kb().remote()) + " or the sync after it");
    }

    private void throwIfAbandoning() {
        if (abandoning.getAsBoolean()) {
            throw new UnitAbortedException(
                    UnitAbortedException.WORKER_SHUTDOWN, "worker shut down before the push; nothing was published");
        }
    }
}
