package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The journal's jobs not yet in Redis, as a degraded mode counts them: how many per KB (a KB's submissions go to the
 * journal behind them), the idempotency keys they were accepted under (until the journal is truncated), and whether a
 * drain into Redis is due. Jobs enter by {@link #accept} (appended and fsynced) or by {@link #replay} of the journal at
 * the start; they leave as {@link Restore} puts them into Redis. Thread-safe.
 */
final class JournalQueue {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final Journal journal;
    private final WorkerExecutor executor; // one thread: appends, reads and truncation happen in one order
    private final LocalDispatch dispatch;
    private final Clock clock = Clock.systemUTC();
    private final Map<KbId, Integer> pending = new HashMap<>(); // guarded by this
    private final Map<String, Job> keys = new HashMap<>(); // KB, user and idempotency key -> job; guarded by this
    /** The journal's entries by job id while it is read at the start. */
    private final Map<String, Journal.Entry> replayed = new HashMap<>();

    private volatile boolean draining;

    JournalQueue(Journal journal, WorkerExecutor executor, LocalDispatch dispatch) {
        this.journal = journal;
        this.executor = executor;
        this.dispatch = dispatch;
    }

    /** One record of the journal read at the start, in its order: the jobs, restores, hand-outs and landings. */
    void replay(Journal.Record record) {
        if (record instanceof Journal.Entry entry) {
            added(entry);
            replayed.put(entry.job().id(), entry);
        } else if (record instanceof Journal.Restored restored) {
            Journal.Entry entry = replayed.remove(restored.jobId());
            if (entry != null) { // in Redis before the restart: Redis runs it
                removed(entry);
            }
        } else if (record instanceof Journal.Handed handed) {
            dispatch.handed(handed.jobId(), handed.kb(), handed.token());
        } else if (record instanceof Journal.Landed landed) {
            dispatch.landed(landed.jobId(), landed.token(), landed.outcome());
        }
    }

    /** The journal was read at the start. */
    void replayed() {
        replayed.clear();
    }

    /** A drain into Redis is due (the journal holds jobs, or fences to raise, from an earlier run). */
    void drainDue() {
        draining = true;
    }

    /** True while journal jobs may be on their way into Redis (until the journal is truncated). */
    boolean draining() {
        return draining;
    }

    /** Jobs in the journal not yet in Redis. */
    synchronized int size() {
        return pending.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code kb}'s jobs in the journal not yet in Redis. */
    synchronized int size(KbId kb) {
        return pending.getOrDefault(kb, 0);
    }

    /** See {@link DegradedMode#accept}. */
    Future<Job> accept(
            KbId kb, String user, JobPayload payload, Optional<String> key, String submitter, List<String> retryChain) {
        Job job = Job.queued(JobRef.create(kb).id(), kb, user, payload, clock.instant())
                .retrying(retryChain);
        return DegradedMode.onJournal(executor, () -> {
                    synchronized (this) {
                        Job first = key.map(k -> keys.get(keyOf(kb, user, k))).orElse(null);
                        if (first != null) { // as Redis answers a key: the same request, or a refusal
                            if (!first.payload().equals(payload)) {
                                throw new ConflictException(
                                        ErrorCodes.IDEMPOTENCY_MISMATCH,
                                        "the idempotency key was used for a different request");
                            }
                            return first;
                        }
                    }
                    journal.append(job, key, submitter);
                    draining = true;
                    synchronized (this) {
                        long ahead = pending.getOrDefault(kb, 0);
                        Job placed = job.at(JobState.QUEUED, ahead, 0, 0);
                        added(new Journal.Entry(placed, key, submitter, 0));
                        return placed;
                    }
                })
                .recover(e -> Future.failedFuture(
                        e instanceof IOException
                                ? new UnavailableException(
                                        ErrorCodes.JOURNAL_UNAVAILABLE,
                                        "Redis is unreachable and the local journal cannot take the job: "
                                                + e.getMessage(),
                                        RETRY_AFTER)
                                : e));
    }

    /**
     * Called by {@link Restore} on the journal's thread once the journal was truncated: the idempotency keys of its jobs
     * are Redis's alone from now on (submissions go to Redis).
     */
    synchronized void drained() {
        draining = false;
        keys.clear();
    }

    /**
     * The entry is in Redis now (or kept aside for good). Its idempotency key stays here until the journal is truncated:
     * a retry of the request while its KB still journals answers this job, not a second one. Once per entry: an entry
     * removed already (its "restored" mark read again, see {@link Restore}) changes nothing.
     */
    synchronized void removed(Journal.Entry entry) {
        if (dispatch.remove(entry.job().id())) {
            pending.computeIfPresent(entry.job().kb(), (kb, n) -> n <= 1 ? null : n - 1);
        }
    }

    private synchronized void added(Journal.Entry entry) {
        dispatch.add(entry.job());
        pending.merge(entry.job().kb(), 1, Integer::sum);
        entry.key().ifPresent(k -> keys.put(keyOf(entry.job().kb(), entry.job().user(), k), entry.job()));
    }

    /** An idempotency key's scope, as in Redis: the KB and the user. */
    private static String keyOf(KbId kb, String user, String key) {
        return kb.value() + "\n" + user + "\n" + key;
    }
}
