package dev.kbsync.api.client;

import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.ApiError;
import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobQuery;
import dev.kbsync.api.JobReceipt;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbFile;
import dev.kbsync.api.KbId;
import dev.kbsync.api.KbLog;
import dev.kbsync.api.KbOverview;
import dev.kbsync.api.KbTree;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.ReadQuery;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.api.Workers;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The Java client of the coordinator's HTTP API v1 (docs/api.md, "Java client"), blocking: call it from plain threads
 * (never from an event loop: use {@link #async()} there). Each method is one route of {@link AsyncKbsyncClient},
 * waited for; failures are {@link KbsyncException}s. Thread-safe; keep one per coordinator (or list of coordinators) and token, and close it.
 */
public final class KbsyncClient implements AutoCloseable {
    /** How much longer than a call's own timeout a blocked caller waits: a last guard against a lost answer. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    private final AsyncKbsyncClient async;
    private final Duration timeout;

    private KbsyncClient(Transport transport) {
        this.async = new AsyncKbsyncClient(transport);
        this.timeout = transport.options().requestTimeout().plus(MARGIN);
    }

    /** A client with a Vert.x instance of its own (closed with the client). */
    public static KbsyncClient create(ClientOptions options) {
        return new KbsyncClient(new Transport(Vertx.vertx(), true, options));
    }

    /** A client on the caller's Vert.x instance (left open by {@link #close()}). */
    public static KbsyncClient create(Vertx vertx, ClientOptions options) {
        return new KbsyncClient(new Transport(vertx, false, options));
    }

    /** The same client, asynchronous. */
    public AsyncKbsyncClient async() {
        return async;
    }

    /** The coordinator calls go to now; see {@link AsyncKbsyncClient#coordinator()}. */
    public URI coordinator() {
        return async.coordinator();
    }

    /** How often this client moved from one coordinator to another; see {@link AsyncKbsyncClient#coordinatorMoves()}. */
    public long coordinatorMoves() {
        return async.coordinatorMoves();
    }

    public Job submitNote(KbId kb, NoteRequest note) {
        return await(async.submitNote(kb, note));
    }

    public Job submitAgentTask(KbId kb, AgentTaskRequest task) {
        return await(async.submitAgentTask(kb, task));
    }

    /** The short answer; see {@link AsyncKbsyncClient#submitNoteMinimal}. */
    public JobReceipt submitNoteMinimal(KbId kb, NoteRequest note) {
        return await(async.submitNoteMinimal(kb, note));
    }

    /** The short answer; see {@link AsyncKbsyncClient#submitAgentTaskMinimal}. */
    public JobReceipt submitAgentTaskMinimal(KbId kb, AgentTaskRequest task) {
        return await(async.submitAgentTaskMinimal(kb, task));
    }

    public Job job(String jobId) {
        return await(async.job(jobId));
    }

    /** The job's events as they come; see {@link AsyncKbsyncClient#followJob}. */
    public EventStream<JobEvent> jobEvents(String jobId) {
        return open(events -> async.followJob(jobId, events));
    }

    /** The events of many jobs on one stream; see {@link AsyncKbsyncClient#followJobs}. */
    public EventStream<JobEvent> jobsEvents(List<String> jobIds) {
        return open(events -> async.followJobs(jobIds, events));
    }

    /** The events of a user's jobs on one stream; see {@link AsyncKbsyncClient#followUserJobs}. */
    public EventStream<JobEvent> userJobEvents(String user) {
        return open(events -> async.followUserJobs(user, events));
    }

    /** Blocks until the job is done or failed; {@link KbsyncException.TimedOut} after {@code wait}. */
    public Job awaitJob(String jobId, Duration wait) {
        return await(async.awaitJob(jobId, wait), wait);
    }

    public JobPage jobs(JobQuery query) {
        return await(async.jobs(query));
    }

    public Job cancel(String jobId) {
        return await(async.cancel(jobId));
    }

    /** Submits a failed or cancelled job again; the new job. See {@link AsyncKbsyncClient#retry}. */
    public Job retry(String jobId) {
        return await(async.retry(jobId));
    }

    /** A file of the KB's snapshot; see {@link AsyncKbsyncClient#readFile}. */
    public KbFile readFile(KbId kb, String path, ReadQuery query) {
        return await(async.readFile(kb, path, query));
    }

    /** The file unless its version is still {@code etag}; see {@link AsyncKbsyncClient#readFileIfChanged}. */
    public Optional<KbFile> readFileIfChanged(KbId kb, String path, String etag, ReadQuery query) {
        return await(async.readFileIfChanged(kb, path, etag, query));
    }

    public KbTree tree(KbId kb, String prefix, ReadQuery query) {
        return await(async.tree(kb, prefix, query));
    }

    public KbLog log(KbId kb, String path, int limit, ReadQuery query) {
        return await(async.log(kb, path, limit, query));
    }

    public KbOverview kbs() {
        return await(async.kbs());
    }

    public QueueSnapshot queue(KbId kb) {
        return await(async.queue(kb));
    }

    public RecentJobs recentJobs(KbId kb) {
        return await(async.recentJobs(kb));
    }

    public EventStream<SnapshotEvent> queueEvents(KbId kb) {
        return open(events -> async.followQueue(kb, events));
    }

    public EventStream<SnapshotEvent> allQueueEvents() {
        return open(async::followAllQueues);
    }

    public KbConfig registerKb(KbConfig kb) {
        return await(async.registerKb(kb));
    }

    /** Removes an idle KB; see {@link AsyncKbsyncClient#deleteKb}. */
    public void deleteKb(KbId kb) {
        await(async.deleteKb(kb));
    }

    /** Opens a lease channel whose calls block; see {@link AsyncKbsyncClient#openLeaseChannel()}. */
    public BlockingLeaseChannel openLeaseChannel() {
        return new BlockingLeaseChannel(await(async.openLeaseChannel()), this);
    }

    public Lease requestLease(KbId kb, LeaseRequest request) {
        return await(async.requestLease(kb, request), request.maxWait());
    }

    public Lease lease(String leaseId) {
        return await(async.lease(leaseId));
    }

    public EventStream<LeaseEvent> leaseEvents(String leaseId) {
        return open(events -> async.followLease(leaseId, events));
    }

    /**
     * Blocks until the lease is granted, following its event stream (which keeps it alive in the queue) and passing
     * each position ({@code ahead}) to {@code onAhead} on this thread. {@link KbsyncException.LeaseLost} if the lease
     * ended first; {@link KbsyncException.TimedOut} after {@code wait}, the lease still waiting (release it).
     */
    public Lease awaitGrant(String leaseId, Duration wait, LongConsumer onAhead) {
        long deadline = System.nanoTime() + wait.toNanos();
        try (EventStream<LeaseEvent> events = leaseEvents(leaseId)) {
            while (true) {
                Lease lease = events.next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                        .lease();
                if (lease.state() == LeaseState.GRANTED) {
                    return lease;
                }
                if (lease.state() == LeaseState.RELEASED || lease.state() == LeaseState.EXPIRED) {
                    throw new KbsyncException.LeaseLost(new ApiError(
                            ApiError.LEASE_LOST,
                            "lease " + leaseId + " ended while waiting: "
                                    + lease.state().wire()));
                }
                onAhead.accept(lease.ahead());
            }
        } catch (KbsyncException.TimedOut e) {
            throw new KbsyncException.TimedOut(
                    "lease " + leaseId + " was not granted within " + wait.toMillis() + " ms", e);
        }
    }

    /**
     * Holds the KB's lock until the returned lease is closed (use try-with-resources): waits up to {@code wait} for
     * the grant (one long-polled request, then heartbeats, whose answer says when the lease is granted), heartbeats
     * the grant every third of its TTL on the client's event loop, and releases it on close. {@link
     * KbsyncException.TimedOut} if the grant does not come within {@code wait} ({@link KbsyncException.LeaseLost} if
     * the lease ended first); the request then leaves the queue.
     */
    public HeldLease hold(KbId kb, LeaseRequest request, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Lease lease = requestLease(kb, request.withWait(wait)); // the coordinator waits at most 30 s of it
        try {
            while (lease.state() != LeaseState.GRANTED) {
                if (lease.state() != LeaseState.WAITING) {
                    throw new KbsyncException.LeaseLost(new ApiError(
                            ApiError.LEASE_LOST,
                            "lease " + lease.id() + " ended while waiting: "
                                    + lease.state().wire()));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new KbsyncException.TimedOut(
                            "lease on " + kb.value() + " was not granted within " + wait.toMillis() + " ms", null);
                }
                Thread.sleep(Math.min(1_000, Math.max(1, left / 1_000_000)));
                lease = heartbeat(lease.id()); // keeps it queued; its answer says once it is granted
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            releaseQuietly(lease.id());
            throw new KbsyncException.Interrupted("interrupted while waiting for a lease", e);
        } catch (RuntimeException e) {
            releaseQuietly(lease.id());
            throw e;
        }
        return new HeldLease(this, lease);
    }

    /** Releases the lease, if the coordinator answers: a lease not released lapses after its TTL on its own. */
    void releaseQuietly(String leaseId) {
        try {
            release(leaseId);
        } catch (KbsyncException e) { // nothing else to do
        }
    }

    public Lease heartbeat(String leaseId) {
        return await(async.heartbeat(leaseId));
    }

    /** See {@link AsyncKbsyncClient#heartbeat(String, String)}. */
    public Lease heartbeat(String leaseId, String doing) {
        return await(async.heartbeat(leaseId, doing));
    }

    public Lease release(String leaseId) {
        return await(async.release(leaseId));
    }

    public void forceRelease(KbId kb) {
        await(async.forceRelease(kb));
    }

    public Optional<Assignment> poll(String workerId, Duration wait) {
        return await(async.poll(workerId, wait), wait);
    }

    /** A poll that renews the worker's presence in the same call (see {@link AsyncKbsyncClient#poll}). */
    public Optional<Assignment> poll(String workerId, Duration wait, WorkerPresence presence) {
        return await(async.poll(workerId, wait, presence), wait);
    }

    /** Gives back a job grant the worker will not run (see {@link AsyncKbsyncClient#giveBack}); whether it was. */
    public boolean giveBack(String workerId, String leaseId) {
        return await(async.giveBack(workerId, leaseId));
    }

    public Worker renewWorker(String workerId, WorkerPresence presence) {
        return await(async.renewWorker(workerId, presence));
    }

    public Workers workers() {
        return await(async.workers());
    }

    public List<Assignment> extend(String leaseId, int max) {
        return await(async.extend(leaseId, max));
    }

    public Job reportResult(String jobId, JobOutcome outcome) {
        return await(async.reportResult(jobId, outcome));
    }

    public void health() {
        await(async.health());
    }

    public void ready() {
        await(async.ready());
    }

    @Override
    public void close() {
        await(async.close());
    }

    private <E> EventStream<E> open(Function<Consumer<E>, Future<Subscription>> follow) {
        EventStream<E> stream = new EventStream<>();
        stream.attach(await(follow.apply(stream::offer)));
        return stream;
    }

    private <T> T await(Future<T> future) {
        return await(future, Duration.ZERO);
    }

    /** Waits for {@code future} up to the call timeout plus {@code extra}; its failure is thrown as it is. */
    <T> T await(Future<T> future, Duration extra) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("KbsyncClient blocks: call it off the event loop, or use async()");
        }
        CountDownLatch done = new CountDownLatch(1);
        future.onComplete(r -> done.countDown());
        long waitMs = timeout.plus(extra).toMillis();
        try {
            if (!done.await(waitMs, TimeUnit.MILLISECONDS)) {
                throw new KbsyncException.TimedOut("no answer within " + waitMs + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbsyncException.Interrupted("interrupted while waiting for the coordinator", e);
        }
        if (future.succeeded()) {
            return future.result();
        }
        throw future.cause() instanceof RuntimeException r ? r : new IllegalStateException(future.cause());
    }
}
