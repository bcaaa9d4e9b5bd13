package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.KbRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator's degraded mode. While Redis is unreachable (or jobs accepted meanwhile are still on their way into
 * Redis, so a KB's order holds), notes and agent tasks of KBs this coordinator knows are validated as always, appended
 * to the {@link Journal} (fsynced) and answered 202 with their place in this coordinator's local queue. While Redis is
 * unreachable the journal's jobs are handed to this coordinator's own workers ({@link LocalDispatch}) under local
 * fencing tokens ({@link LocalFences}). Once Redis answers, each KB's Redis fence is raised above its local tokens, then
 * the journal's jobs are restored into the Redis queues one by one in their order, each under the id its 202 named and
 * at most once ({@link JobService#restore}): done if a local run landed it, else queued; the journal is truncated only
 * when every entry is in Redis ({@link Restore}). A coordinator started on a journal with entries (it was stopped or
 * killed during an outage) restores them the same way. This class ties those parts together: the journal's jobs not
 * yet in Redis are counted in {@link JournalQueue}, the KBs whose jobs are taken in {@link DegradedKbs}.
 */
public final class DegradedMode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedMode.class);
    private static final long TICK_MS = 250;

    private final Vertx vertx;
    private final Journal journal;
    private final WorkerExecutor executor; // one thread: appends, reads and truncation happen in one order
    private final RedisHealth health;
    private final DegradedKbs kbs;
    private final LocalFences fences;
    private final LocalDispatch dispatch;
    private final LocalWork work;
    private final JournalQueue queue;
    private final Restore restore;

    private long timer = -1;

    private DegradedMode(
            Vertx vertx,
            Journal journal,
            WorkerExecutor executor,
            RedisHealth health,
            JobService jobs,
            Duration hold,
            Map<KbId, Long> fences,
            Duration restoreStep) {
        this.vertx = vertx;
        this.fences = new LocalFences(Clock.systemUTC(), fences);
        this.kbs = new DegradedKbs(executor, journal.dir());
        this.dispatch = new LocalDispatch(hold, kbs.configs(), this.fences);
        this.journal = journal;
        this.executor = executor;
        this.health = health;
        this.queue = new JournalQueue(journal, executor, dispatch);
        this.restore = new Restore(vertx, queue, dispatch, journal, executor, jobs, this.fences, restoreStep);
        this.work = new LocalWork(vertx, executor, journal, dispatch, health, this::serving);
    }

    /**
     * Opens (or replays) the journal in {@code dir}; KBs in {@code known} (the configured ones), and those an earlier
     * run on {@code dir} knew ({@link KnownKbs}), are accepted while Redis is unreachable; a job handed to a local
     * worker is handed out again after {@code hold} without an outcome.
     */
    public static Future<DegradedMode> open(
            Vertx vertx,
            Path dir,
            int maxEntries,
            Duration hold,
            RedisHealth health,
            JobService jobs,
            Collection<KbConfig> known) {
        return open(vertx, dir, maxEntries, hold, health, jobs, known, Restore.STEP_BOUND);
    }

    /**
     * {@link #open(Vertx, Path, int, Duration, RedisHealth, JobService, Collection)} whose restore gives up a step
     * (a Redis step, a journal write) that has not answered within {@code restoreStep} and goes on in its next pass.
     */
    public static Future<DegradedMode> open(
            Vertx vertx,
            Path dir,
            int maxEntries,
            Duration hold,
            RedisHealth health,
            JobService jobs,
            Collection<KbConfig> known,
            Duration restoreStep) {
        WorkerExecutor executor = vertx.createSharedWorkerExecutor("kbsync-journal-" + dir.toAbsolutePath(), 1);
        return onJournal(executor, () -> {
                    Journal journal = Journal.open(dir, maxEntries);
                    return new Replayed(journal, journal.readFrom(0), journal.fences(), KnownKbs.read(dir));
                })
                .map(replayed -> {
                    DegradedMode mode = new DegradedMode(
                            vertx, replayed.journal(), executor, health, jobs, hold, replayed.fences(), restoreStep);
                    mode.kbs.startWith(replayed.kbs(), known);
                    replayed.records().forEach(mode.queue::replay);
                    mode.queue.replayed();
                    if (!replayed.records().isEmpty() || !mode.fences.allRaised()) {
                        // jobs to restore, or only restored ones (killed before the truncation) whose hand-outs'
                        // fences may still need raising: the restore pass raises them and truncates the journal
                        mode.queue.drainDue();
                    }
                    if (mode.pending() > 0) {
                        LOG.warn(
                                "journal {} holds {} job(s) accepted while Redis was unreachable: restoring them into"
                                        + " Redis in their order",
                                dir,
                                mode.pending());
                    }
                    mode.timer = vertx.setPeriodic(TICK_MS, t -> {
                        if (mode.queue.draining() && health.up()) {
                            mode.restore.tick();
                        }
                    });
                    return mode;
                })
                .onFailure(e -> executor.close());
    }

    /**
     * {@code work} on the journal's one thread ({@code executor}), in the order submitted. Not "ordered" in Vert.x's
     * sense: Vert.x orders such calls per calling context, across executors, so a journal write would queue behind any
     * other ordered blocking call of the same context, however slow; the executor's single thread keeps the order.
     */
    static <T> Future<T> onJournal(WorkerExecutor executor, java.util.concurrent.Callable<T> work) {
        return executor.executeBlocking(work, false);
    }

    private record Replayed(
            Journal journal, List<Journal.Record> records, Map<KbId, Long> fences, List<KbConfig> kbs) {}

    /** True while submissions go to the journal: Redis is unreachable, or journal jobs are still on their way. */
    public boolean accepting() {
        return queue.draining() || !health.up();
    }

    /**
     * True while submissions to {@code kb} go to the journal: Redis is unreachable, or journal jobs of that KB are still
     * on their way into Redis (behind them, to keep the KB's order). A KB with none goes to Redis as soon as it answers.
     */
    public boolean accepting(KbId kb) {
        return !health.up() || (queue.draining() && queue.size(kb) > 0);
    }

    /** Whether Redis answers (submissions go to the journal then only behind their KB's journal jobs). */
    public boolean redisUp() {
        return health.up();
    }

    /** Jobs in the journal not yet in Redis. */
    public int pending() {
        return queue.size();
    }

    /**
     * A KB that exists (registered, or seen in Redis): its jobs are accepted while Redis is unreachable, also by this
     * coordinator started again during an outage ({@link KnownKbs}: written when the set changes).
     */
    public void known(KbConfig kb) {
        kbs.known(kb);
    }

    /**
     * A KB removed (here or through another coordinator): its jobs are no longer accepted while Redis is unreachable,
     * and are refused as those of a removed KB ({@link #removed}) until it is registered again.
     */
    public void forget(KbId kb) {
        kbs.forget(kb);
    }

    /**
     * Syncs the known KBs with {@code registry}'s list ({@link DegradedKbs#sync}) whenever Redis answers, and when the
     * registry's ids read meanwhile ({@code listed}; null: none) differ: a change missed is caught up before an outage.
     */
    public Future<Void> sync(KbRegistry registry, List<KbId> listed) {
        return listed != null && kbs.lists(listed) ? Future.succeededFuture() : kbs.sync(registry, listed);
    }

    public boolean knows(KbId kb) {
        return kbs.knows(kb);
    }

    /** Whether {@code kb} was removed since this coordinator started (and not registered again). */
    public boolean removed(KbId kb) {
        return kbs.removed(kb);
    }

    /**
     * True while workers' polls, heartbeats and results are served here: Redis is unreachable (the journal's jobs are
     * handed out), or it answers again but some KB's Redis fence is not yet raised above the local tokens handed out
     * (no Redis grant may reach this coordinator's workers before).
     */
    public boolean serving() {
        return !health.up() || !fences.allRaised();
    }

    /**
     * A worker's long poll while {@link #serving}: the next journal job of one of {@code kinds} (what the worker runs)
     * of a KB with none under way; empty at the end of {@code wait}, or as soon as Redis answers and the fences are
     * raised (see {@link LocalWork#poll}).
     */
    public Future<Optional<Assignment>> poll(String worker, Duration wait, Set<JobKind> kinds) {
        return work.poll(worker, wait, kinds);
    }

    /**
     * A journal job {@link #poll} handed out that its worker never learned (the poll's connection closed): queued again
     * at its place at once, not after the maximum hold.
     */
    public void giveBack(Assignment assignment) {
        work.giveBack(assignment);
    }

    /** {@code worker} says it drains: its polls waiting on the journal end empty within a fraction of a second. */
    public void endPolls(String worker) {
        work.endPolls(worker);
    }

    /**
     * A local lease of a journal job under way, until its job is restored into Redis (heartbeats and group-commit
     * requests are answered from it; after, Redis answers LEASE_LOST and the worker stops before its push).
     */
    public Optional<Lease> localLease(String leaseId) {
        return dispatch.lease(leaseId);
    }

    /**
     * Group commit under a local lease: the note jobs right behind its job while Redis is unreachable, none once it
     * answers (see {@link LocalWork#extend}).
     */
    public Future<List<Assignment>> extend(String leaseId, int max) {
        return work.extend(leaseId, max);
    }

    /** A local job's outcome from its worker; empty when it is not one (see {@link LocalWork#complete}). */
    public Future<Optional<Job>> complete(String jobId, JobOutcome outcome) {
        return work.complete(jobId, outcome);
    }

    /**
     * A job of the journal not yet in Redis, as it stands here (queued in the local queue, running under a local lease,
     * or landed by a local run); empty for any other job (Redis answers for it).
     */
    public Optional<Job> job(String jobId) {
        return dispatch.view(jobId);
    }

    /**
     * Appends a validated job to the journal (fsynced) and answers it with its place in the local queue
     * ({@code ahead}: this coordinator's journal jobs of the KB before it). Fails with 503 JOURNAL_UNAVAILABLE when
     * the journal is full or cannot be written. As in Redis, the same idempotency key of the same user on the same KB
     * answers the first job, or 409 IDEMPOTENCY_MISMATCH when the request differs. {@code submitter}: the name of the
     * token that submits it, restored with the job (that token, or an admin, may cancel or retry it). {@code retryChain}:
     * a retry's chain ({@link Job#retryChain()}: the job it submits again first), kept with the new one; empty if none.
     */
    public Future<Job> accept(
            KbId kb, String user, JobPayload payload, Optional<String> key, String submitter, List<String> retryChain) {
        return queue.accept(kb, user, payload, key, submitter, retryChain);
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Stops the restores and closes the journal (on its thread, after the writes queued before); its files stay.
     * Completes once the journal's thread is gone too, so that Vert.x may be closed right after.
     */
    public Future<Void> stop() {
        vertx.cancelTimer(timer);
        return onJournal(executor, () -> {
                    journal.close();
                    return null;
                })
                .<Void>mapEmpty()
                .eventually(executor::close);
    }
}
