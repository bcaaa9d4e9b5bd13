package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.coordinator.error.CoordinatorException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the journal's jobs into Redis once it answers: one by one in journal order through {@link JobService#restore}
 * (each under its 202's id, once however often), then truncates the journal on the journal's thread if nothing was
 * appended meanwhile, else goes on with the new entries. Stops at the first outage-like failure (the next tick goes on
 * from there); an entry Redis refuses for good is kept in {@link Journal#REJECTED} and skipped.
 */
final class Restore {
    private static final Logger LOG = LoggerFactory.getLogger(Restore.class);

    private final DegradedMode mode;
    private final Journal journal;
    private final WorkerExecutor executor;
    private final JobService jobs;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long offset;

    Restore(DegradedMode mode, Journal journal, WorkerExecutor executor, JobService jobs) {
        this.mode = mode;
        this.journal = journal;
        this.executor = executor;
        this.jobs = jobs;
    }

    /** Starts a pass unless one runs. */
    void tick() {
        if (running.compareAndSet(false, true)) {
            long started = System.nanoTime();
            int before = mode.pending();
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
                            mode.pending());
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
                            mode.drained();
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
                    mode.pendingRemoved(entry);
                    return restoreAll(entries, next + 1);
                });
    }

    /** A refusal with a reason (no such KB, an idempotency key used for another job), not an outage. */
    private static boolean refusedForGood(Throwable cause) {
        return cause instanceof InvalidInputException
                || (cause instanceof CoordinatorException && !(cause instanceof UnavailableException));
    }
}
