package dev.kbsync.worker.run;

import dev.kbsync.git.Author;
import dev.kbsync.kb.JobError;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.worker.apply.Applier;
import dev.kbsync.worker.client.Assignment;
import dev.kbsync.worker.client.CoordinatorClient;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.fallback.ResultOutbox;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one assignment to the end on the calling (worker) thread: local KB lock, publish cycle, result delivery, then
 * occasional maintenance. Every exit path reports a result, except a lost lease (the job already runs elsewhere).
 */
public final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final Vertx vertx;
    private final CoordinatorClient client;
    private final ModeTracker modes;
    private final ResultOutbox outbox;
    private final CheckoutCache checkouts;
    private final LocalKbLock locks;
    private final Applier applier;
    private final PublishCycle cycle;
    private final RunnerSettings settings;

    public JobRunner(
            Vertx vertx,
            CoordinatorClient client,
            ModeTracker modes,
            ResultOutbox outbox,
            CheckoutCache checkouts,
            LocalKbLock locks,
            Applier applier,
            PublishCycle cycle,
            RunnerSettings settings) {
        this.vertx = vertx;
        this.client = client;
        this.modes = modes;
        this.outbox = outbox;
        this.checkouts = checkouts;
        this.locks = locks;
        this.applier = applier;
        this.cycle = cycle;
        this.settings = settings;
    }

    /** Runs the job; the report, if any, has been delivered when this returns. {@code abandoning}: stop before push. */
    public Optional<JobReport> run(Assignment assignment, BooleanSupplier abandoning) {
        putMdc(assignment);
        try (LeaseKeeper keeper = new LeaseKeeper(vertx, client, modes, assignment.lease())) {
            log.info(
                    "running {} job {} for {}",
                    assignment.job().kind().wire(),
                    assignment.job().id(),
                    assignment.job().user());
            Optional<JobReport> report = execute(assignment, keeper, abandoning);
            report.ifPresent(r ->
                    outbox.deliver(r).toCompletionStage().toCompletableFuture().join());
            settings.listener().reached(Phase.REPORTED, assignment.job().id());
            maintain(assignment);
            return report;
        } finally {
            MDC.clear();
        }
    }

    private Optional<JobReport> execute(Assignment assignment, LeaseKeeper keeper, BooleanSupplier abandoning) {
        String jobId = assignment.job().id();
        String leaseId = assignment.lease().id();
        try {
            Outcome outcome = underLock(assignment, "job_" + jobId, () -> {
                JobUnit unit =
                        new JobUnit(assignment, applier, author(assignment.job().user()), keeper, abandoning);
                return cycle.run(checkouts.checkout(assignment.kb()), unit);
            });
            log.info("job {} finished: {}", jobId, outcome);
            return Optional.of(Reports.of(jobId, leaseId, outcome));
        } catch (UnitAbortedException e) {
            log.warn("job {} stopped before push: {}", jobId, e.getMessage());
            return UnitAbortedException.LEASE_LOST.equals(e.code())
                    ? Optional.empty()
                    : Optional.of(new JobReport.Failed(jobId, leaseId, new JobError(e.code(), e.getMessage()), 0));
        } catch (RuntimeException e) {
            log.error("job {} failed unexpectedly", jobId, e);
            return Optional.of(new JobReport.Failed(jobId, leaseId, new JobError("INTERNAL", e.getMessage()), 0));
        }
    }

    private void maintain(Assignment assignment) {
        try {
            underLock(assignment, "maintain", () -> {
                checkouts.checkout(assignment.kb()).maintainEvery(settings.maintainEvery());
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("maintenance of {} failed: {}", assignment.kb().id(), e.getMessage());
        }
    }

    private <T> T underLock(Assignment assignment, String operation, Supplier<T> work) {
        LocalKbLock.Handle held = locks.acquire(checkouts.lockDir(assignment.kb()), operation);
        try {
            return work.get();
        } finally {
            held.close();
        }
    }

    private static void putMdc(Assignment assignment) {
        MDC.put("job", assignment.job().id());
        MDC.put("kb", assignment.kb().id().value());
        MDC.put("lease", assignment.lease().id());
        MDC.put("fence", Long.toString(assignment.lease().fencingToken()));
    }

    private Author author(String user) {
        return new Author(user, user + "@" + settings.emailDomain());
    }
}
