package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.error.CoordinatorException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator's degraded mode. While Redis is unreachable (or jobs accepted meanwhile are still on their way into
 * Redis, so a KB's order holds), notes and agent tasks of KBs this coordinator knows are validated as always, appended
 * to the {@link Journal} (fsynced) and answered 202 with their place in this coordinator's local queue. Once Redis
 * answers, the journal's jobs are restored into the Redis queues one by one in their order, each under the id its 202
 * named and at most once ({@link JobService#restore}); the journal is truncated only when every entry is in Redis. A
 * coordinator started on a journal with entries (it was stopped or killed during an outage) restores them the same way.
 */
public final class DegradedMode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedMode.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    private static final long TICK_MS = 250;

    private final Vertx vertx;
    private final Journal journal;
    private final WorkerExecutor executor; // one thread: appends, reads and truncation happen in one order
    private final RedisHealth health;
    private final JobService jobs;
    private final Clock clock;
    private final Set<KbId> known = ConcurrentHashMap.newKeySet();
    private final Map<KbId, Integer> pending = new HashMap<>(); // guarded by this
    private final Map<String, Job> keys = new HashMap<>(); // user + idempotency key -> job; guarded by this
    private final AtomicBoolean restoring = new AtomicBoolean();
    private volatile boolean draining;
    private volatile long offset;
    private long timer = -1;

    private DegradedMode(
            Vertx vertx, Journal journal, WorkerExecutor executor, RedisHealth health, JobService jobs, Clock clock) {
        this.vertx = vertx;
        this.journal = journal;
        this.executor = executor;
        this.health = health;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** Opens (or replays) the journal in {@code dir}; KBs in {@code known} are accepted while Redis is unreachable. */
    public static Future<DegradedMode> open(
            Vertx vertx, Path dir, int maxEntries, RedisHealth health, JobService jobs, Collection<KbId> known) {
        WorkerExecutor executor = vertx.createSharedWorkerExecutor("kbsync-journal-" + dir.toAbsolutePath(), 1);
        return executor.executeBlocking(() -> {
                    Journal journal = Journal.open(dir, maxEntries);
                    return new Replayed(journal, journal.readFrom(0));
                })
                .map(replayed -> {
                    DegradedMode mode =
                            new DegradedMode(vertx, replayed.journal(), executor, health, jobs, Clock.systemUTC());
                    mode.known.addAll(known);
                    replayed.entries().forEach(mode::pendingAdded);
                    if (!replayed.entries().isEmpty()) {
                        mode.draining = true;
                        LOG.warn(
                                "journal {} holds {} job(s) accepted while Redis was unreachable: restoring them into"
                                        + " Redis in their order",
                                dir,
                                replayed.entries().size());
                    }
                    mode.timer = vertx.setPeriodic(TICK_MS, t -> mode.tick());
                    return mode;
                })
                .onFailure(e -> executor.close());
    }

    private record Replayed(Journal journal, List<Journal.Entry> entries) {}

    /** True while submissions go to the journal: Redis is unreachable, or journal jobs are still on their way. */
    public boolean accepting() {
        return draining || !health.up();
    }

    /** Jobs in the journal not yet in Redis. */
    public synchronized int pending() {
        return pending.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** A KB that exists (registered, or seen in Redis): its jobs are accepted while Redis is unreachable. */
    public void known(KbId kb) {
        known.add(kb);
    }

    public boolean knows(KbId kb) {
        return known.contains(kb);
    }

    /**
     * Appends a validated job to the journal (fsynced) and answers it with its place in the local queue
     * ({@code ahead}: this coordinator's journal jobs of the KB before it). Fails with 503 JOURNAL_UNAVAILABLE when
     * the journal is full or cannot be written; the same idempotency key of the same user answers the first job.
     */
    public Future<Job> accept(KbId kb, String user, JobPayload payload, Optional<String> key) {
        Job job = new Job(
                JobRef.create(kb).id(),
                kb,
                user,
                payload,
                JobState.QUEUED,
                0,
                0,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                0,
                clock.instant(),
                null,
                null);
        return executor.executeBlocking(() -> {
                    synchronized (this) {
                        Job first = key.map(k -> keys.get(user + "\n" + k)).orElse(null);
                        if (first != null) {
                            return first;
                        }
                    }
                    journal.append(job, key);
                    draining = true;
                    synchronized (this) {
                        long ahead = pending.getOrDefault(kb, 0);
                        Job placed = job.at(JobState.QUEUED, ahead, 0);
                        pendingAdded(new Journal.Entry(placed, key, 0));
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

    @Override
    public void close() {
        vertx.cancelTimer(timer);
        executor.executeBlocking(() -> {
                    journal.close();
                    return null;
                })
                .onComplete(r -> executor.close());
    }

    private synchronized void pendingAdded(Journal.Entry entry) {
        pending.merge(entry.job().kb(), 1, Integer::sum);
        entry.key().ifPresent(k -> keys.put(entry.job().user() + "\n" + k, entry.job()));
    }

    private synchronized void pendingRemoved(Journal.Entry entry) {
        pending.computeIfPresent(entry.job().kb(), (kb, n) -> n <= 1 ? null : n - 1);
        entry.key().ifPresent(k -> keys.remove(entry.job().user() + "\n" + k));
    }

    private void tick() {
        if (draining && health.up() && restoring.compareAndSet(false, true)) {
            long started = System.nanoTime();
            int before = pending();
            drain().onComplete(r -> {
                restoring.set(false);
                if (r.succeeded()) {
                    LOG.info(
                            "journal: {} job(s) restored into Redis in {} ms; journal truncated",
                            before,
                            (System.nanoTime() - started) / 1_000_000);
                } else {
                    LOG.info(
                            "journal: restoring paused ({}); {} job(s) left",
                            r.cause().toString(),
                            pending());
                }
            });
        }
    }

    /** Restores every entry from {@link #offset}, then truncates if nothing was appended meanwhile, else goes on. */
    private Future<Void> drain() {
        return executor.executeBlocking(() -> journal.readFrom(offset)).compose(entries -> {
            if (entries.isEmpty()) {
                return executor.<Boolean>executeBlocking(() -> {
                            if (journal.size() > offset) {
                                return false;
                            }
                            journal.truncate();
                            offset = 0;
                            draining = false;
                            return true;
                        })
                        .compose(done -> done ? Future.<Void>succeededFuture() : drain());
            }
            return restoreAll(entries, 0).compose(v -> drain());
        });
    }

    private Future<Void> restoreAll(List<Journal.Entry> entries, int next) {
        if (next == entries.size()) {
            return Future.succeededFuture();
        }
        Journal.Entry entry = entries.get(next);
        return jobs.restore(entry.job(), entry.key())
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
                    return executor.<Void>executeBlocking(() -> {
                        journal.reject(entry, cause.getMessage());
                        return null;
                    });
                })
                .compose(v -> {
                    offset = entry.end();
                    pendingRemoved(entry);
                    return restoreAll(entries, next + 1);
                });
    }

    /** A refusal with a reason (no such KB, an idempotency key used for another job), not an outage. */
    private static boolean refusedForGood(Throwable cause) {
        return cause instanceof InvalidInputException
                || (cause instanceof CoordinatorException && !(cause instanceof UnavailableException));
    }
}
