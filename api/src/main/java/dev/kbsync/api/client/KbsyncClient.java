package dev.kbsync.api.client;

import dev.kbsync.api.AgentTaskRequest;
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
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.ReadQuery;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.api.TokenInfo;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.api.Workers;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.QueueEvent;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The Java client of the coordinator's HTTP API v1 (docs/api.md, "Java client"), blocking: call it from plain threads
 * or Vert.x worker threads (never from an event loop: use {@link #async()} there). Each method is one route of {@link AsyncKbsyncClient},
 * waited for; failures are {@link KbsyncException}s. Thread-safe; keep one per coordinator (or list of coordinators) and token, and close it.
 */
public final class KbsyncClient implements AutoCloseable {
    private final AsyncKbsyncClient async;
    private final Blocking blocking;
    private final GrantWait grants;

    private KbsyncClient(Transport transport) {
        this.async = new AsyncKbsyncClient(transport);
        this.blocking = new Blocking(
                transport.options().requestTimeout(), transport.options().urls().size());
        this.grants = new GrantWait(this);
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
        return blocking.await(async.submitNote(kb, note));
    }

    public Job submitAgentTask(KbId kb, AgentTaskRequest task) {
        return blocking.await(async.submitAgentTask(kb, task));
    }

    /** The short answer; see {@link AsyncKbsyncClient#submitNoteMinimal}. */
    public JobReceipt submitNoteMinimal(KbId kb, NoteRequest note) {
        return blocking.await(async.submitNoteMinimal(kb, note));
    }

    /** The short answer; see {@link AsyncKbsyncClient#submitAgentTaskMinimal}. */
    public JobReceipt submitAgentTaskMinimal(KbId kb, AgentTaskRequest task) {
        return blocking.await(async.submitAgentTaskMinimal(kb, task));
    }

    public Job job(String jobId) {
        return blocking.await(async.job(jobId));
    }

    /** The job's events as they come; see {@link AsyncKbsyncClient#followJob}. */
    public EventStream<JobEvent> jobEvents(String jobId) {
        return blocking.open(events -> async.followJob(jobId, events));
    }

    /** The events of many jobs on one stream; see {@link AsyncKbsyncClient#followJobs}. */
    public EventStream<JobEvent> jobsEvents(List<String> jobIds) {
        return blocking.open(events -> async.followJobs(jobIds, events));
    }

    /** The events of a user's jobs on one stream; see {@link AsyncKbsyncClient#followUserJobs}. */
    public EventStream<JobEvent> userJobEvents(String user) {
        return blocking.open(events -> async.followUserJobs(user, events));
    }

    /** Blocks until the job is done or failed; {@link KbsyncException.TimedOut} after {@code wait}. */
    /**
     * Waits for the job's final state, {@code wait} at most; a caller interrupted (or past the blocking bound) gives
     * the wait up: its stream is closed, not opened again.
     */
    public Job awaitJob(String jobId, Duration wait) {
        JobWait.Handle waiting = async.startAwaitJob(jobId, wait);
        try {
            return blocking.await(waiting.future(), wait);
        } catch (KbsyncException.Interrupted | KbsyncException.TimedOut gaveUp) {
            waiting.abandon(gaveUp);
            throw gaveUp;
        }
    }

    public JobPage jobs(JobQuery query) {
        return blocking.await(async.jobs(query));
    }

    public Job cancel(String jobId) {
        return blocking.await(async.cancel(jobId));
    }

    /** Submits a failed or cancelled job again; the new job. See {@link AsyncKbsyncClient#retry}. */
    public Job retry(String jobId) {
        return blocking.await(async.retry(jobId));
    }

    /** A file of the KB's snapshot; see {@link AsyncKbsyncClient#readFile}. */
    public KbFile readFile(KbId kb, String path, ReadQuery query) {
        return blocking.await(async.readFile(kb, path, query));
    }

    /** The file unless its version is still {@code etag}; see {@link AsyncKbsyncClient#readFileIfChanged}. */
    public Optional<KbFile> readFileIfChanged(KbId kb, String path, String etag, ReadQuery query) {
        return blocking.await(async.readFileIfChanged(kb, path, etag, query));
    }

    public KbTree tree(KbId kb, String prefix, ReadQuery query) {
        return blocking.await(async.tree(kb, prefix, query));
    }

    public KbLog log(KbId kb, String path, int limit, ReadQuery query) {
        return blocking.await(async.log(kb, path, limit, query));
    }

    public KbOverview kbs() {
        return blocking.await(async.kbs());
    }

    public QueueSnapshot queue(KbId kb) {
        return blocking.await(async.queue(kb));
    }

    public RecentJobs recentJobs(KbId kb) {
        return blocking.await(async.recentJobs(kb));
    }

    /** The KB's queue events, ending with its removal; see {@link AsyncKbsyncClient#followQueue}. */
    public EventStream<QueueEvent> queueEvents(KbId kb) {
        return blocking.open(events -> async.followQueue(kb, events));
    }

    /** Every KB's queue events; see {@link AsyncKbsyncClient#followAllQueues}. */
    public EventStream<QueueEvent> allQueueEvents() {
        return blocking.open(async::followAllQueues);
    }

    public KbConfig registerKb(KbConfig kb) {
        return blocking.await(async.registerKb(kb));
    }

    /** Removes an idle KB; see {@link AsyncKbsyncClient#deleteKb}. */
    public void deleteKb(KbId kb) {
        blocking.await(async.deleteKb(kb));
    }

    /** Opens a lease channel whose calls block; see {@link AsyncKbsyncClient#openLeaseChannel()}. */
    public BlockingLeaseChannel openLeaseChannel() {
        return new BlockingLeaseChannel(blocking.await(async.openLeaseChannel(), LeaseChannel::close), blocking);
    }

    /**
     * See {@link AsyncKbsyncClient#requestLease}. A lease whose answer comes after this thread stopped waiting for it
     * (interrupted, or timed out while the failover tried the next coordinator) is released then: nobody knows it.
     */
    public Lease requestLease(KbId kb, LeaseRequest request) {
        return blocking.await(async.requestLease(kb, request), request.maxWait(), this::releaseLate);
    }

    /** Releases a lease nobody waits for any more, without blocking; one not released lapses after its TTL. */
    private void releaseLate(Lease late) {
        async.release(late.id());
    }

    public Lease lease(String leaseId) {
        return blocking.await(async.lease(leaseId));
    }

    public EventStream<LeaseEvent> leaseEvents(String leaseId) {
        return blocking.open(events -> async.followLease(leaseId, events));
    }

    /**
     * Blocks until the lease is granted, following its event stream (which keeps it alive in the queue) and passing
     * each position ({@code ahead}) to {@code onAhead} on this thread. {@link KbsyncException.LeaseLost} if the lease
     * ended first; {@link KbsyncException.TimedOut} after {@code wait}, the lease still waiting (release it);
     * {@link KbsyncException.Unreachable} when the stream broke or ended before either (a stopping coordinator closes
     * its streams: follow the lease again, or release it).
     */
    public Lease awaitGrant(String leaseId, Duration wait, LongConsumer onAhead) {
        return grants.onEvents(leaseId, wait, onAhead);
    }

    /**
     * Holds the KB's lock until the returned lease is closed (use try-with-resources): waits up to {@code wait} for
     * the grant (one long-polled request, then heartbeats, whose answer says when the lease is granted), heartbeats
     * the grant every third of its TTL on the client's event loop, and releases it on close. {@link
     * KbsyncException.TimedOut} if the grant does not come within {@code wait} ({@link KbsyncException.LeaseLost} if
     * the lease ended first); the request then leaves the queue.
     */
    public HeldLease hold(KbId kb, LeaseRequest request, Duration wait) {
        return grants.hold(kb, request, wait);
    }

    /** Releases the lease, if the coordinator answers: a lease not released lapses after its TTL on its own. */
    void releaseQuietly(String leaseId) {
        try {
            release(leaseId);
        } catch (KbsyncException e) { // nothing else to do
        }
    }

    public Lease heartbeat(String leaseId) {
        return blocking.await(async.heartbeat(leaseId));
    }

    /** See {@link AsyncKbsyncClient#heartbeat(String, String)}. */
    public Lease heartbeat(String leaseId, String doing) {
        return blocking.await(async.heartbeat(leaseId, doing));
    }

    public Lease release(String leaseId) {
        return blocking.await(async.release(leaseId));
    }

    public void forceRelease(KbId kb) {
        blocking.await(async.forceRelease(kb));
    }

    /**
     * See {@link AsyncKbsyncClient#poll}. An assignment whose answer comes after this thread stopped waiting for it
     * (interrupted, or timed out) is given back then ({@link #giveBack}): nobody will run it.
     */
    public Optional<Assignment> poll(String workerId, Duration wait) {
        return poll(workerId, wait, null);
    }

    /** A poll that renews the worker's presence in the same call (see {@link AsyncKbsyncClient#poll}). */
    public Optional<Assignment> poll(String workerId, Duration wait, WorkerPresence presence) {
        return blocking.await(
                async.poll(workerId, wait, presence),
                wait,
                late -> late.ifPresent(a -> async.giveBack(workerId, a.lease().id())));
    }

    /** Gives back a job grant the worker will not run (see {@link AsyncKbsyncClient#giveBack}); whether it was. */
    public boolean giveBack(String workerId, String leaseId) {
        return blocking.await(async.giveBack(workerId, leaseId));
    }

    public Worker renewWorker(String workerId, WorkerPresence presence) {
        return blocking.await(async.renewWorker(workerId, presence));
    }

    public Workers workers() {
        return blocking.await(async.workers());
    }

    public List<Assignment> extend(String leaseId, int max) {
        return blocking.await(async.extend(leaseId, max));
    }

    public Job reportResult(String jobId, JobOutcome outcome) {
        return blocking.await(async.reportResult(jobId, outcome));
    }

    public TokenInfo whoami() {
        return blocking.await(async.whoami());
    }

    public void health() {
        blocking.await(async.health());
    }

    public void ready() {
        blocking.await(async.ready());
    }

    @Override
    public void close() {
        blocking.await(async.close());
    }
}
