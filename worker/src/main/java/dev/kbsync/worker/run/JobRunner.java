package dev.kbsync.worker.run;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.git.Author;
import dev.kbsync.git.Secrets;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LockTimeoutException;
import dev.kbsync.worker.apply.Applier;
import dev.kbsync.worker.apply.StopSignal;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.fallback.ResultOutbox;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one assignment to the end on the calling (worker) thread: local KB lock, publish cycle, result delivery, then,
 * its lease no longer kept, occasional maintenance. Every exit path reports a result, except a lost lease (the job
 * already runs elsewhere) and a grant whose hard deadline came first (the agent is killed, the unit abandoned; the
 * coordinator ends the grant at its deadline, counts the attempt and runs the job again or fails it with
 * {@code MAX_HOLD_EXCEEDED}). An unexpected
 * failure, an exception or an {@link Error} such as a failed assertion or a class that could not be loaded, is reported
 * {@code INTERNAL}; only a {@link VirtualMachineError} (out of memory, a stack overflow) is thrown on to the caller.
 */
public final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final Vertx vertx;
    private final KbsyncClient client;
    private final ModeTracker modes;
    private final ResultOutbox outbox;
    private final CheckoutCache checkouts;
    private final LocalKbLock locks;
    private final UnderLock underLock;
    private final Applier applier;
    private final PublishCycle cycle;
    private final RunnerSettings settings;
    /** The stop signals of the jobs running now (see {@link #stopRunning}), each with what it runs. */
    private final Map<StopSignal, String> running = new ConcurrentHashMap<>();

    public JobRunner(
            Vertx vertx,
            KbsyncClient client,
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
        this.underLock = new UnderLock(locks, checkouts);
        this.applier = applier;
        this.cycle = cycle;
        this.settings = settings;
    }

    /**
     * Runs the job, and for a note job the queued note jobs behind it (group commit, up to {@code batchMax} in all)
     * in one pull/push cycle; returns the reports, delivered when this returns (members first, side by side, the head
     * last), or still being delivered in the background if the coordinator is unreachable.
     * {@code abandoning}: stop before push (a job that starts with it set is stopped at once, as
     * {@link #stopRunning} stops the jobs running then). {@code onRemoteWait}: run on the calling thread before each
     * pause of the cycle for a remote that cannot be reached for now (the job keeps its lease and this thread meanwhile).
     */
    public List<JobReport> run(Assignment assignment, BooleanSupplier abandoning, Runnable onRemoteWait) {
        return run(assignment, abandoning, onRemoteWait, reports -> {});
    }

    /**
     * As {@link #run(Assignment, BooleanSupplier, Runnable)}; {@code ended} is told the reports once the job is over
     * and its lease no longer kept, before the occasional maintenance of its checkout that this returns after.
     */
    public List<JobReport> run(
            Assignment assignment, BooleanSupplier abandoning, Runnable onRemoteWait, Consumer<List<JobReport>> ended) {
        putMdc(assignment);
        try {
            List<JobReport> reports;
            try (LeaseKeeper keeper = LeaseKeeper.of(vertx, client, modes, assignment, settings.deadlineMargin())) {
                running.put(
                        keeper.stop(),
                        "job " + assignment.job().id() + " of KB "
                                + assignment.lease().kb() + " (lease "
                                + assignment.lease().id() + ")");
                if (abandoning.getAsBoolean()) {
                    // started after stopRunning (a poll in flight brought it and could not give it back): its stop now
                    shutDown(keeper.stop());
                }
                try {
                    reports = runUnder(assignment, keeper, abandoning, onRemoteWait);
                } finally {
                    running.remove(keeper.stop());
                }
            }
            // Not under the keeper: it would heartbeat a grant that ended, and take the answer for a lost lease.
            ended.accept(reports);
            maintain(assignment);
            return reports;
        } finally {
            MDC.clear();
        }
    }

    private List<JobReport> runUnder(
            Assignment assignment, LeaseKeeper keeper, BooleanSupplier abandoning, Runnable onRemoteWait) {
        List<Assignment> batch = batch(assignment, settings.notesThatFit(keeper.timeLeft()));
        log.info(
                "running {} job {} for {} ({} job(s) in this cycle)",
                assignment.job().kind().wire(),
                assignment.job().id(),
                assignment.job().user(),
                batch.size());
        List<JobReport> reports = execute(batch, keeper, abandoning, onRemoteWait);
        if (!reports.isEmpty()) {
            // Members side by side, the head last: its report ends the grant, and the KB goes to the next job.
            // With the coordinator unreachable the reports go on in the background and this slot polls again.
            outbox.deliverCycle(
                    List.copyOf(reports.subList(1, reports.size())),
                    reports.get(0),
                    r -> settings.listener().reached(Phase.REPORTED, r.jobId()));
        }
        return reports;
    }

    /**
     * Stops every job running now before its push, as a lost lease would, but reported: a running agent is killed with
     * its process tree, and the job fails {@code WORKER_SHUTDOWN}. For a worker whose shutdown grace is over: it sets
     * what {@link #run}'s {@code abandoning} reads first, so that a job starting meanwhile is stopped as it starts.
     */
    public void stopRunning() {
        running.keySet().forEach(JobRunner::shutDown);
    }

    private static void shutDown(StopSignal stop) {
        stop.stop(UnitAbortedException.WORKER_SHUTDOWN, "worker shut down while the job ran; nothing was published");
    }

    /** The jobs running now, each as {@code job <id> of KB <kb> (lease <id>)}, sorted. */
    public List<String> underWay() {
        return running.values().stream().sorted().toList();
    }

    /**
     * The head and the note jobs the coordinator let it take along, {@code most} in all; the head alone if that fails,
     * or without asking when the claim said no note waited behind it.
     */
    private List<Assignment> batch(Assignment head, int most) {
        List<Assignment> batch = new ArrayList<>(List.of(head));
        if (head.job().kind() != JobKind.NOTE || most == 1 || Boolean.FALSE.equals(head.notesBehind())) {
            return batch;
        }
        try {
            batch.addAll(
                    RetryPolicy.defaults().call(() -> client.extend(head.lease().id(), most - 1)));
        } catch (KbsyncException e) {
            log.warn("could not take queued notes along with {}: {}", head.job().id(), e.getMessage());
        }
        return batch;
    }

    private List<JobReport> execute(
            List<Assignment> batch, LeaseKeeper keeper, BooleanSupplier abandoning, Runnable onRemoteWait) {
        Assignment head = batch.get(0);
        try {
            List<JobUnit> units = batch.stream()
                    .map(a -> new JobUnit(a, applier, author(a.job().user()), keeper, abandoning, onRemoteWait))
                    .toList();
            // Waiting for the KB's local lock past the lease's deadline would only keep this slot from other KBs; the
            // wait also ends at once when the unit must stop (lease lost, the worker's stop).
            AtomicBoolean locked = new AtomicBoolean();
            List<Outcome> outcomes;
            try {
                outcomes = underLock.run(
                        head, "job_" + head.job().id(), keeper.leftUntilStop(), keeper::throwIfStopped, () -> {
                            locked.set(true);
                            return cycle(head, batch, units, keeper);
                        });
            } catch (UnitAbortedException e) {
                if (!locked.get() && UnitAbortedException.WORKER_SHUTDOWN.equals(e.code()) && givenBack(head)) {
                    return List.of();
                }
                throw e;
            }
            List<JobReport> reports = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                log.info("job {} finished: {}", batch.get(i).job().id(), outcomes.get(i));
                reports.add(
                        Reports.of(batch.get(i), outcomes.get(i), units.get(i).answer()));
            }
            return reports;
        } catch (LockTimeoutException e) {
            log.warn(
                    "job {} not run: the KB's local lock stayed held until the lease's deadline ({}); the coordinator"
                            + " runs it again",
                    head.job().id(),
                    e.getMessage());
            return List.of();
        } catch (UnitAbortedException e) {
            log.warn("job {} stopped before push: {}", head.job().id(), e.getMessage());
            return e.abandoned() ? List.of() : failed(batch, new JobError(e.code(), message(e)), e.landed());
        } catch (CycleFailedException e) {
            return failed(batch, unexpected(head, e.getCause()), e.landed());
        } catch (VirtualMachineError e) {
            throw e; // out of memory, a stack overflow: the JVM's own trouble, which its slot logs and ends with
        } catch (Exception | Error e) { // a bug, an assertion, a class that failed to load or initialise
            return failed(batch, unexpected(head, e), Map.of());
        }
    }

    /** The publish cycle of the batch, under the KB's local lock. */
    private List<Outcome> cycle(Assignment head, List<Assignment> batch, List<JobUnit> units, LeaseKeeper keeper) {
        keeper.doing("syncing with " + Secrets.mask(head.kb().remote()));
        KbCheckout checkout = checkouts.checkout(head.kb());
        checkout.granted(
                head.previousFencingToken() == null
                        ? OptionalLong.empty()
                        : OptionalLong.of(head.previousFencingToken()),
                head.lease().fencingToken(),
                batch.get(batch.size() - 1).lease().fencingToken());
        return cycle.runAll(checkout, units);
    }

    /**
     * Gives back a job its worker's stop ended while it waited for the KB's local lock, nothing run: the coordinator
     * offers it again at once with its attempt returned, as it does a job a stopping worker's poll brings. False if
     * that cannot be done (a group commit's members were taken along, the grant ended, the coordinator does not
     * answer): the job is then reported {@code WORKER_SHUTDOWN}, as any job the stop cut short.
     */
    private boolean givenBack(Assignment head) {
        String leaseId = head.lease().id();
        try {
            // a job's grant names its worker as its holder
            if (client.giveBack(head.lease().holder(), leaseId)) {
                log.info(
                        "stopping: gave job {} (lease {}) back before it got the KB's local lock; it is offered again",
                        head.job().id(),
                        leaseId);
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            log.warn(
                    "stopping: could not give job {} (lease {}) back: {}",
                    head.job().id(),
                    leaseId,
                    e.toString());
            return false;
        }
    }

    /**
     * The error of a job that ended by an exception: {@code DISK_FULL} when the disk was full (the coordinator queues
     * the job again), else {@code INTERNAL} (logged with its stack).
     */
    private JobError unexpected(Assignment head, Throwable e) {
        if (DiskFull.causedBy(e)) {
            String message = DiskFull.message(checkouts.disk(), e);
            log.warn("job {} failed {}: {}", head.job().id(), DiskFull.CODE, message);
            return new JobError(DiskFull.CODE, message);
        }
        log.error("job {} failed unexpectedly", head.job().id(), e);
        return new JobError("INTERNAL", message(e));
    }

    /**
     * What a failure says, for its report: its message, or its type when it has none (a report without a message is
     * refused by the coordinator, and the job would wait for its lease to lapse and run again).
     */
    private static String message(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
    }

    /**
     * The batch failed with {@code error}, but for the units found on the remote before it stopped ({@code landed}, by
     * job id): those landed, and are reported done.
     */
    private static List<JobReport> failed(List<Assignment> batch, JobError error, Map<String, Outcome> landed) {
        return batch.stream()
                .map(a -> {
                    Outcome found = landed.get(a.job().id());
                    return found != null
                            ? Reports.of(a, found, null)
                            : new JobReport(
                                    a.job().id(),
                                    new JobOutcome.Failed(a.lease().id(), error, 0));
                })
                .toList();
    }

    /**
     * Housekeeping after a job, only if the KB's local lock is free now: it never keeps the slot waiting. Then the
     * checkouts beyond the cache's bound that are not in use are closed.
     */
    private void maintain(Assignment assignment) {
        try {
            underLock.run(assignment, "maintain", Optional.of(Duration.ZERO), () -> {}, () -> {
                checkouts.checkout(assignment.kb()).maintainEvery(settings.maintainEvery());
                return null;
            });
        } catch (LockTimeoutException busy) {
            log.debug(
                    "maintenance of {} skipped: its local lock is held",
                    assignment.kb().id());
        } catch (RuntimeException e) {
            log.warn("maintenance of {} failed: {}", assignment.kb().id(), e.getMessage());
        }
        checkouts.closeIdle(locks);
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
