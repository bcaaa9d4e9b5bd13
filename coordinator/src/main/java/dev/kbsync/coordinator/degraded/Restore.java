package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.CoordinatorException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the journal's jobs into Redis once it answers. First each KB's Redis fence is raised to at least the highest
 * local token handed out for it ({@link JobService#raiseFence}; until then this coordinator's workers get no Redis
 * grant, see {@link DegradedMode#serving}), so every later Redis grant is above every degraded publish. Then the jobs,
 * one by one in journal order, through {@link JobService#restore} (each under its 202's id, once however often): done
 * when a local run landed it, else queued and searched down to its first local token. Then the journal is truncated on
 * the journal's thread if nothing readable was appended meanwhile (a torn append or a line that cannot be read does
 * not count, see {@link Journal#holdsFrom}), else another pass takes the new records ({@link Passes}).
 * Stops at the first outage-like failure (the next tick goes on from there); an entry Redis refuses for good is kept
 * in {@link Journal#REJECTED} and skipped. A step that does not answer within its bound ({@link #STEP_BOUND}: a Redis
 * step has its own 3 s timeout, a journal write is one fsync) counts as such a failure: the pass stops and the next
 * one starts from the last entry restored, so a step that never answers (seen under heavy load: a pass that restored
 * nothing more for minutes) delays the drain by its bound, never for good. Every step may run again: a restore is
 * idempotent (the job's id), a fence is only raised, a journal mark is written once more. A mark written after its
 * step gave up (the journal's thread busy past the bound) is read by the next pass: its entry leaves the local queue
 * then, as it would have at once (else the job stayed a journal job here for good, handed out again at the next
 * outage).
 */
final class Restore {
    private static final Logger LOG = LoggerFactory.getLogger(Restore.class);
    /** How long a restore step may go without an answer before its pass stops and the next one tries again. */
    static final Duration STEP_BOUND = Duration.ofSeconds(15);

    private final Vertx vertx;
    private final Duration stepBound;

    private final JournalQueue queue;
    private final LocalDispatch dispatch;
    private final Journal journal;
    private final WorkerExecutor executor;
    private final JobService jobs;
    private final LocalFences fences;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long offset;

    Restore(
            Vertx vertx,
            JournalQueue queue,
            LocalDispatch dispatch,
            Journal journal,
            WorkerExecutor executor,
            JobService jobs,
            LocalFences fences,
            Duration stepBound) {
        this.vertx = vertx;
        this.stepBound = stepBound;
        this.queue = queue;
        this.dispatch = dispatch;
        this.journal = journal;
        this.executor = executor;
        this.jobs = jobs;
        this.fences = fences;
    }

    /** Starts a pass unless one runs. */
    void tick() {
        if (running.compareAndSet(false, true)) {
            long started = System.nanoTime();
            int before = queue.size();
            drain().onComplete(r -> {
                running.set(false);
                if (r.succeeded()) {
                    LOG.info(
                            "journal: {} job(s) restored into Redis in {} ms; journal truncated",
                            before,
                            (System.nanoTime() - started) / 1_000_000);
                } else {
                    LOG.info(
                            "journal: restoring paused ({}); {} job(s) left",
                            r.cause().toString(),
                            queue.size());
                }
            });
        }
    }

    /**
     * Passes until one finds nothing new and truncates ({@link Passes}: one promise for the whole drain, however many
     * passes appends to the journal cause).
     */
    private Future<Void> drain() {
        return Passes.until(this::pass);
    }

    /**
     * One pass: raises the fences, restores every entry from {@link #offset}; done once it found nothing new and
     * truncated, else (records restored, or appended or a fence left before the truncation) another pass is due.
     */
    private Future<Boolean> pass() {
        return raise(new ArrayList<>(fences.unraised().entrySet()), 0)
                .compose(v -> bounded("reading the journal", onJournal(() -> journal.readFrom(offset))))
                .compose(records -> {
                    if (records.isEmpty()) {
                        return bounded("truncating the journal", onJournal(() -> {
                            // appended meanwhile: another pass; bytes left that cannot be read do not hold it
                            if (journal.holdsFrom(offset) || !fences.allRaised()) {
                                return false;
                            }
                            try {
                                journal.truncate(fences.snapshot());
                            } catch (IOException e) {
                                // emptied before its fsync failed: read from its start next time, never from an end
                                // that later appends would hide behind (failed before: read on from where it was)
                                if (journal.size() < offset) {
                                    offset = 0;
                                }
                                throw e;
                            }
                            offset = 0;
                            queue.drained();
                            return true;
                        }));
                    }
                    long end = records.get(records.size() - 1).end();
                    Set<String> done = records.stream()
                            .filter(r -> r instanceof Journal.Restored)
                            .map(r -> ((Journal.Restored) r).jobId())
                            .collect(Collectors.toSet());
                    List<Journal.Entry> entries = new ArrayList<>();
                    for (Journal.Record r : records) {
                        if (r instanceof Journal.Entry e) {
                            if (done.contains(e.job().id())) {
                                // marked after its pass gave the mark's step up: in Redis, so out of the local queue
                                queue.removed(e);
                            } else {
                                entries.add(e);
                            }
                        }
                    }
                    return restoreAll(entries).map(v -> {
                        offset = end;
                        return false;
                    });
                });
    }

    /** Raises each KB's Redis fence to its highest local token, one step per KB; a KB gone from Redis is skipped. */
    private Future<Void> raise(List<Map.Entry<KbId, Long>> open, int next) {
        if (next == open.size()) {
            return Future.succeededFuture();
        }
        KbId kb = open.get(next).getKey();
        long token = open.get(next).getValue();
        return bounded("raising KB " + kb + "'s fence", jobs.raiseFence(kb, token))
                .transform(raised -> {
                    if (raised.succeeded()) {
                        LOG.info("journal: KB {}'s Redis fence raised to at least local token {}", kb, token);
                    } else if (refusedForGood(raised.cause())) {
                        LOG.error(
                                "journal: KB {}'s Redis fence cannot be raised ({})",
                                kb,
                                raised.cause().getMessage());
                    } else {
                        return Future.<Void>failedFuture(raised.cause());
                    }
                    fences.raised(kb, token);
                    return Future.<Void>succeededFuture();
                })
                .compose(v -> raise(open, next + 1));
    }

    /**
     * Restores {@code entries} one after the other, in their order, each started from the previous one's completion
     * ({@link Passes}: a chain of futures as long as the journal, 10,000 entries, overflowed the stack when it
     * completed, and the journal never drained).
     */
    private Future<Void> restoreAll(List<Journal.Entry> entries) {
        if (entries.isEmpty()) {
            return Future.succeededFuture();
        }
        Iterator<Journal.Entry> next = entries.iterator();
        return Passes.until(() -> restoreOne(next.next()).map(v -> !next.hasNext()));
    }

    private Future<Void> restoreOne(Journal.Entry entry) {
        return bounded(
                        "restoring job " + entry.job().id(),
                        jobs.restore(
                                entry.job(),
                                entry.key(),
                                entry.submitter(),
                                dispatch.restoration(entry.job().id())))
                .recover(e -> keyTaken(e) && entry.key().isPresent()
                        ? bounded("restoring job " + entry.job().id() + " without its key", withoutKey(entry))
                        : Future.failedFuture(e))
                .transform(restored -> {
                    if (restored.succeeded()) {
                        return Future.<Void>succeededFuture();
                    }
                    Throwable cause = restored.cause();
                    if (!refusedForGood(cause)) {
                        return Future.<Void>failedFuture(cause); // Redis went away again: retried on a later tick
                    }
                    LOG.error(
                            "journal: job {} of KB {} cannot be restored into Redis ({}); kept in {}",
                            entry.job().id(),
                            entry.job().kb(),
                            cause.getMessage(),
                            journal.dir().resolve(Journal.REJECTED));
                    return bounded("keeping a rejected job", onJournal(() -> {
                        journal.reject(entry, cause.getMessage());
                        return null;
                    }));
                })
                .compose(v -> bounded("marking a job restored", onJournal(() -> {
                            journal.restored(entry); // a restart before the truncation leaves it to Redis
                            return null;
                        }))
                        // the mark only saves a second restore (by the job's id: once) after a crash; a journal that
                        // cannot be written any more (a full disk) must not keep its later jobs out of Redis
                        .recover(e -> {
                            LOG.warn(
                                    "journal: job {} of KB {} is in Redis, but the mark saying so could not be written"
                                            + " ({}); a restart before the journal's truncation restores it again"
                                            + " (once, by its id)",
                                    entry.job().id(),
                                    entry.job().kb(),
                                    e.toString());
                            return Future.succeededFuture();
                        }))
                .map(v -> {
                    offset = entry.end();
                    queue.removed(entry);
                    return null;
                });
    }

    /** {@code work} on the journal's thread (see {@link DegradedMode#onJournal}). */
    private <T> Future<T> onJournal(java.util.concurrent.Callable<T> work) {
        return DegradedMode.onJournal(executor, work);
    }

    /**
     * {@code step}'s answer, or a {@link TimeoutException} once it has not answered within {@link #stepBound} (it may
     * still run later; its answer is then dropped).
     */
    private <T> Future<T> bounded(String what, Future<T> step) {
        if (step.isComplete()) {
            return step;
        }
        Promise<T> answer = Promise.promise();
        long timer = vertx.setTimer(stepBound.toMillis(), t -> {
            if (!answer.future().isComplete()) {
                LOG.warn(
                        "journal: {} did not answer within {} ms; this pass stops, the next one goes on from the last"
                                + " job restored",
                        what,
                        stepBound.toMillis());
                answer.tryFail(new TimeoutException(what + " did not answer within " + stepBound.toMillis() + " ms"));
            }
        });
        step.onComplete(r -> {
            vertx.cancelTimer(timer);
            if (r.succeeded()) {
                answer.tryComplete(r.result());
            } else {
                answer.tryFail(r.cause());
            }
        });
        return answer.future();
    }

    /**
     * The journal accepted {@code entry} (202) with an idempotency key it did not know, which Redis holds for another
     * request (stored before Redis went away): the job is restored all the same, without the key, which keeps naming
     * its first job. An accepted job is never set aside for its key. Bounded as every other step (by the caller).
     */
    private Future<Job> withoutKey(Journal.Entry entry) {
        LOG.warn(
                "journal: job {} of KB {} was accepted with an idempotency key Redis holds for another request;"
                        + " restored without the key",
                entry.job().id(),
                entry.job().kb());
        return jobs.restore(
                entry.job(),
                Optional.empty(),
                entry.submitter(),
                dispatch.restoration(entry.job().id()));
    }

    private static boolean keyTaken(Throwable cause) {
        return cause instanceof ConflictException c && ErrorCodes.IDEMPOTENCY_MISMATCH.equals(c.code());
    }

    /** A refusal with a reason (no such KB, an idempotency key used for another job), not an outage. */
    private static boolean refusedForGood(Throwable cause) {
        return cause instanceof InvalidInputException
                || (cause instanceof CoordinatorException && !(cause instanceof UnavailableException));
    }
}
