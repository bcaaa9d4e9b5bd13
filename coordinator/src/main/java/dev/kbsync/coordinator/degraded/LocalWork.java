package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of degraded mode: long polls answered from {@link LocalDispatch} while Redis is unreachable, each
 * hand-out journaled with its local fencing token before the worker learns it, and the workers' outcomes of journal
 * jobs, a landing journaled before it is answered.
 */
final class LocalWork {
    private static final Logger LOG = LoggerFactory.getLogger(LocalWork.class);
    private static final long POLL_EVERY_MS = 200;
    /** How long a worker's drain is remembered: past the longest poll (30 s). */
    private static final long ENDED_KEPT_MS = 31_000;

    private final Vertx vertx;
    private final WorkerExecutor executor;
    private final Journal journal;
    private final LocalDispatch dispatch;
    private final RedisHealth health;
    private final BooleanSupplier serving;
    /** Per worker, when (System.nanoTime) it said it drains: its polls that began before then end empty. */
    private final Map<String, Long> ended = new ConcurrentHashMap<>();

    LocalWork(
            Vertx vertx,
            WorkerExecutor executor,
            Journal journal,
            LocalDispatch dispatch,
            RedisHealth health,
            BooleanSupplier serving) {
        this.vertx = vertx;
        this.executor = executor;
        this.journal = journal;
        this.dispatch = dispatch;
        this.health = health;
        this.serving = serving;
    }

    /**
     * A worker's long poll while {@link #serving}: the next journal job of a KB with none under way (see {@link
     * LocalDispatch}), journaled with its token before it is answered; empty at the end of {@code wait}, or as soon as
     * Redis answers and the fences are raised (poll Redis then).
     */
    Future<Optional<Assignment>> poll(String worker, Duration wait, Set<JobKind> kinds) {
        long began = System.nanoTime();
        return pollUntil(worker, kinds, began, began + wait.toNanos());
    }

    /**
     * {@code worker} says it drains (it stops): its polls waiting here end empty at their next look, within {@link
     * #POLL_EVERY_MS}. Remembered for the longest poll.
     */
    void endPolls(String worker) {
        long at = System.nanoTime();
        ended.put(worker, at);
        vertx.setTimer(ENDED_KEPT_MS, t -> ended.remove(worker, at));
    }

    private Future<Optional<Assignment>> pollUntil(String worker, Set<JobKind> kinds, long began, long deadlineNanos) {
        Long endedAt = ended.get(worker);
        if (!serving.getAsBoolean() || endedAt != null && endedAt - began >= 0) {
            return Future.succeededFuture(Optional.empty());
        }
        Optional<LocalDispatch.Handout> next = health.up() ? Optional.empty() : dispatch.next(worker, kinds);
        if (next.isPresent()) {
            return handOut(worker, next.get());
        }
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return Future.succeededFuture(Optional.empty());
        }
        Promise<Optional<Assignment>> later = Promise.promise();
        vertx.setTimer(
                Math.min(POLL_EVERY_MS, left),
                t -> pollUntil(worker, kinds, began, deadlineNanos).onComplete(later));
        return later.future();
    }

    private Future<Optional<Assignment>> handOut(String worker, LocalDispatch.Handout handout) {
        Assignment a = handout.assignment();
        return DegradedMode.onJournal(executor, () -> {
                    journal.append(new Journal.Handed(a.job().id(), a.job().kb(), handout.token(), 0));
                    return Optional.of(a);
                })
                .onSuccess(x -> LOG.info(
                        "journal job {} of KB {} handed to worker {} under local fencing token {} (Redis unreachable)",
                        a.job().id(),
                        a.job().kb(),
                        worker,
                        handout.token()))
                .recover(e -> {
                    LOG.warn(
                            "journal job {} not handed out: the journal cannot record it ({})",
                            a.job().id(),
                            e);
                    dispatch.withdraw(handout);
                    return Future.succeededFuture(Optional.empty());
                });
    }

    /** A hand-out whose poll could not be answered: its job is queued again (see {@link LocalDispatch#giveBack}). */
    void giveBack(Assignment assignment) {
        if (dispatch.giveBack(assignment.job().id(), assignment.lease().id())) {
            LOG.info(
                    "journal job {} of KB {} given back: the poll it was handed to was not answered",
                    assignment.job().id(),
                    assignment.job().kb());
        }
    }

    /**
     * Group commit under a local lease: the note jobs right behind its job (see {@link LocalDispatch#extend}), each
     * hand-out journaled before it is answered; none when the journal cannot record them, nor once Redis answers (as a
     * poll: a new local token then would undo the fences' raise and keep the workers off Redis).
     */
    Future<List<Assignment>> extend(String leaseId, int max) {
        List<LocalDispatch.Handout> members = health.up() ? List.of() : dispatch.extend(leaseId, max);
        if (members.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return DegradedMode.onJournal(executor, () -> {
                    for (LocalDispatch.Handout h : members) {
                        journal.append(new Journal.Handed(
                                h.jobId(), h.assignment().job().kb(), h.token(), 0));
                    }
                    return members.stream()
                            .map(LocalDispatch.Handout::assignment)
                            .toList();
                })
                .recover(e -> {
                    LOG.warn("journal jobs not handed out: the journal cannot record them ({})", e.toString());
                    members.forEach(dispatch::withdraw);
                    return Future.succeededFuture(List.of());
                });
    }

    /**
     * A local job's outcome from its worker; empty when it is not one (Redis answers it, or 503 while unreachable). A
     * landing is journaled before the answer; a push refused by the branch puts the job back in the local queue.
     */
    Future<Optional<Job>> complete(String jobId, JobOutcome outcome) {
        Optional<LocalDispatch.Recorded> recorded = dispatch.complete(jobId, outcome);
        if (recorded.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        if (!(recorded.get() instanceof LocalDispatch.Landed landed)) {
            return Future.succeededFuture(Optional.of(recorded.get().job()));
        }
        return DegradedMode.onJournal(executor, () -> {
                    journal.append(new Journal.Landed(jobId, landed.token(), landed.outcome(), 0));
                    return Optional.of(landed.job());
                })
                .recover(e -> {
                    // kept in memory for the restore; after a crash the job runs again and finds its commit
                    LOG.warn("journal: the landing of job {} could not be journaled ({})", jobId, e.toString());
                    return Future.succeededFuture(Optional.of(landed.job()));
                });
    }
}
