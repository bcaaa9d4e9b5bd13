package dev.kbsync.api.client;

import dev.kbsync.api.Activity;
import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.Assignment;
import dev.kbsync.api.Assignments;
import dev.kbsync.api.InvalidInputException;
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
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The coordinator's HTTP API v1 (docs/api.md), asynchronous: one method per route, each returning a Vert.x
 * {@link Future} that fails with a {@link KbsyncException}. Never blocks; callable from any thread. Results and events
 * arrive on the client's event loops. The blocking face is {@link KbsyncClient}.
 */
public final class AsyncKbsyncClient {
    private final Requests requests;
    private final JobWait jobWait;

    AsyncKbsyncClient(Transport http) {
        this.requests = new Requests(http);
        this.jobWait = new JobWait(requests);
    }

    /** {@code POST /v1/kbs/{kb}/notes} (client role): the accepted job (202). */
    public Future<Job> submitNote(KbId kb, NoteRequest note) {
        return requests.post(ApiPaths.kb(kb, "/notes"), note.toJson(), note.idempotencyKey(), Job::fromJson);
    }

    /** {@code POST /v1/kbs/{kb}/agent-tasks} (client role): the accepted job (202). */
    public Future<Job> submitAgentTask(KbId kb, AgentTaskRequest task) {
        return requests.post(ApiPaths.kb(kb, "/agent-tasks"), task.toJson(), task.idempotencyKey(), Job::fromJson);
    }

    /**
     * {@link #submitNote} asking for the short answer ({@code Prefer: return=minimal}): the accepted job's id and place
     * in the queue, not the whole job (whose payload is the note just sent). Cheaper for both sides; the job is at
     * {@link #job}.
     */
    public Future<JobReceipt> submitNoteMinimal(KbId kb, NoteRequest note) {
        return requests.postMinimal(
                ApiPaths.kb(kb, "/notes"), note.toJson(), note.idempotencyKey(), JobReceipt::fromJson);
    }

    /** {@link #submitAgentTask} with the short answer; see {@link #submitNoteMinimal}. */
    public Future<JobReceipt> submitAgentTaskMinimal(KbId kb, AgentTaskRequest task) {
        return requests.postMinimal(
                ApiPaths.kb(kb, "/agent-tasks"), task.toJson(), task.idempotencyKey(), JobReceipt::fromJson);
    }

    /** {@code GET /v1/jobs/{id}}. */
    public Future<Job> job(String jobId) {
        return requests.get(ApiPaths.job(jobId, ""), Job::fromJson);
    }

    /**
     * {@code GET /v1/jobs/{id}/events}: the job's current state first, then every position, state and doing change; the
     * stream ends after the job finished.
     */
    public Future<Subscription> followJob(String jobId, Consumer<JobEvent> onEvent) {
        return requests.jobEvents(ApiPaths.job(jobId, "/events"), onEvent);
    }

    /**
     * {@code GET /v1/events?job=a,b,c}: one stream for up to 100 jobs: each one's current state first, then their
     * position, state and doing changes; the stream ends once every one of them has ended.
     */
    public Future<Subscription> followJobs(List<String> jobIds, Consumer<JobEvent> onEvent) {
        return requests.jobEvents(ApiPaths.jobsEvents(jobIds), onEvent);
    }

    /**
     * {@code GET /v1/events?user=u}: the user's queued and running jobs first, then every event of the user's jobs
     * (new ones included) in the token's KBs; the stream stays open until closed.
     */
    public Future<Subscription> followUserJobs(String user, Consumer<JobEvent> onEvent) {
        return requests.jobEvents(ApiPaths.userEvents(user), onEvent);
    }

    /**
     * The job once it is done or failed, followed on its event stream (closed in every case);
     * {@link KbsyncException.TimedOut} after {@code timeout}. Within the timeout a stream without a usable answer (a
     * 503: the coordinator's Redis is down, the coordinator stops, or the job is still in its journal on the way into
     * Redis; a connection refused, cut or silent) or that ends before the job's final state (a coordinator's stop
     * closes its streams, a {@code SLOW_CONSUMER} error event) is opened again after a pause (its {@code Retry-After},
     * else 1 s, plus up to a quarter at random), the job read first so that a final state reached meanwhile is not
     * missed; both move to another coordinator as the client's failover does. Only a definite answer ends the wait
     * before its timeout: 401, 403, another 4xx, an answer that is not kbsync's, or a 404 (but not one from another
     * coordinator than the one that answered JOB_RESTORING: that one alone knows the job until it is in Redis). A
     * pause that would pass the timeout ends the wait with {@link KbsyncException.TimedOut} at once.
     */
    public Future<Job> awaitJob(String jobId, Duration timeout) {
        return jobWait.await(jobId, timeout);
    }

    /** {@link #awaitJob} with a way to give the wait up ({@link KbsyncClient#awaitJob} on an interrupt). */
    JobWait.Handle startAwaitJob(String jobId, Duration timeout) {
        return jobWait.start(jobId, timeout);
    }

    /** {@code GET /v1/jobs?kb=&user=&state=&limit=&cursor=}: a page of jobs, newest first; follow nextCursor. */
    public Future<JobPage> jobs(JobQuery query) {
        return requests.get("/v1/jobs" + query.queryString(), JobPage::fromJson);
    }

    /** {@code DELETE /v1/jobs/{id}} (the submitting token, or admin): cancels a job no worker took; it, cancelled. */
    public Future<Job> cancel(String jobId) {
        return requests.call(HttpMethod.DELETE, ApiPaths.job(jobId, ""), null, Duration.ZERO, Job::fromJson);
    }

    /**
     * {@code POST /v1/jobs/{id}/retry} (the submitting token, or admin): submits a failed or cancelled job again; the
     * new job, whose {@code retryOf} is {@code jobId}. The same retry repeated answers the same new job.
     */
    public Future<Job> retry(String jobId) {
        return requests.call(HttpMethod.POST, ApiPaths.job(jobId, "/retry"), null, Duration.ZERO, Job::fromJson);
    }

    /**
     * {@code GET /v1/kbs/{kb}/files/{path}}: a file of the KB's snapshot (never waits for the KB's lock); {@code query}
     * picks the snapshot ({@link ReadQuery#after} a job's commit to read your own write).
     */
    public Future<KbFile> readFile(KbId kb, String path, ReadQuery query) {
        return requests.get(ApiPaths.file(kb, path, query), KbFile::fromJson);
    }

    /**
     * {@link #readFile}, unless the file's version is still {@code etag} (an earlier {@link KbFile#etag()}): then
     * empty ({@code 304 Not Modified}).
     */
    public Future<Optional<KbFile>> readFileIfChanged(KbId kb, String path, String etag, ReadQuery query) {
        return requests.getIfNoneMatch(ApiPaths.file(kb, path, query), checkEtag(etag), KbFile::fromJson);
    }

    /**
     * {@code etag} as an {@code If-None-Match} header carries it: visible ASCII characters (a line break or a control
     * character would fail in the HTTP layer and read as an unreachable coordinator); else {@code INVALID_ETAG}.
     */
    private static String checkEtag(String etag) {
        if (etag == null || etag.isBlank() || !etag.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new InvalidInputException(
                    "INVALID_ETAG", "an etag is visible ASCII characters, as a file read's answer gave it");
        }
        return etag;
    }

    /** {@code GET /v1/kbs/{kb}/tree?prefix=}: the KB's files under {@code prefix} (null or empty: all). */
    public Future<KbTree> tree(KbId kb, String prefix, ReadQuery query) {
        return requests.get(ApiPaths.tree(kb, prefix, query), KbTree::fromJson);
    }

    /** {@code GET /v1/kbs/{kb}/log?path=&limit=}: recent commits (of {@code path} when not null), newest first. */
    public Future<KbLog> log(KbId kb, String path, int limit, ReadQuery query) {
        return requests.get(ApiPaths.log(kb, path, limit, query), KbLog::fromJson);
    }

    /** {@code GET /v1/kbs}: every registered KB and every queue. */
    public Future<KbOverview> kbs() {
        return requests.get("/v1/kbs", KbOverview::fromJson);
    }

    /** {@code GET /v1/kbs/{kb}/queue}: the holder, the jobs in the same push, the waiters in grant order. */
    public Future<QueueSnapshot> queue(KbId kb) {
        return requests.get(ApiPaths.kb(kb, "/queue"), QueueSnapshot::fromJson);
    }

    /** {@code GET /v1/kbs/{kb}/recent-jobs}: the KB's recently finished jobs and failures, newest first. */
    public Future<RecentJobs> recentJobs(KbId kb) {
        return requests.get(ApiPaths.kb(kb, "/recent-jobs"), RecentJobs::fromJson);
    }

    /**
     * {@code GET /v1/kbs/{kb}/events}: the KB's snapshot now, then on every change
     * ({@link dev.kbsync.api.event.SnapshotEvent}); when the KB is removed, a
     * {@link dev.kbsync.api.event.KbRemovedEvent}, and the stream ends: stop following the KB.
     */
    public Future<Subscription> followQueue(KbId kb, Consumer<QueueEvent> onEvent) {
        return requests.queueEvents(ApiPaths.kb(kb, "/events"), onEvent);
    }

    /**
     * {@code GET /v1/events}: every KB's snapshot now, then every change of any KB
     * ({@link dev.kbsync.api.event.SnapshotEvent}), and a {@link dev.kbsync.api.event.KbRemovedEvent} for each KB
     * removed meanwhile (drop it from a list of KBs; the stream goes on).
     */
    public Future<Subscription> followAllQueues(Consumer<QueueEvent> onEvent) {
        return requests.queueEvents("/v1/events", onEvent);
    }

    /** {@code PUT /v1/kbs/{kb}} (admin role): registers a KB or replaces its remote, branch, note path, credentials. */
    public Future<KbConfig> registerKb(KbConfig kb) {
        JsonObject body = kb.toJson();
        body.remove("id");
        return requests.call(HttpMethod.PUT, ApiPaths.kb(kb.id(), ""), body, Duration.ZERO, KbConfig::fromJson);
    }

    /**
     * {@code DELETE /v1/kbs/{kb}} (admin role, a scoped admin within its scope): removes an idle KB; fails 404
     * KB_NOT_FOUND, or 409 KB_BUSY while its jobs are queued or running (nothing removed).
     */
    public Future<Void> deleteKb(KbId kb) {
        return requests.call(HttpMethod.DELETE, ApiPaths.kb(kb, ""), null, Duration.ZERO)
                .mapEmpty();
    }

    /**
     * {@code POST /v1/kbs/{kb}/leases} (client role): joins the KB's queue; the lease is granted or waiting (with
     * {@link LeaseRequest#withWait}: granted, or still waiting once the wait is over).
     */
    public Future<Lease> requestLease(KbId kb, LeaseRequest request) {
        return requests.call(
                HttpMethod.POST, ApiPaths.kb(kb, "/leases"), request.toJson(), request.maxWait(), Lease::fromJson);
    }

    /**
     * Opens a lease channel ({@code GET /v1/leases/channel}, a WebSocket): raw leases requested, heartbeaten and
     * released on one connection, each call a frame instead of an HTTP exchange; see {@link LeaseChannel}.
     */
    public Future<LeaseChannel> openLeaseChannel() {
        return LeaseChannel.open(requests.transport());
    }

    /** {@code GET /v1/leases/{id}}. */
    public Future<Lease> lease(String leaseId) {
        return requests.get(ApiPaths.lease(leaseId, ""), Lease::fromJson);
    }

    /**
     * {@code GET /v1/leases/{id}/events} (client role): the lease's state first, then its live position and state;
     * the coordinator keeps a waiting lease alive while the stream is open. Ends after the lease is released or
     * expired.
     */
    public Future<Subscription> followLease(String leaseId, Consumer<LeaseEvent> onEvent) {
        return requests.leaseEvents(ApiPaths.lease(leaseId, "/events"), onEvent);
    }

    /** {@code POST /v1/leases/{id}/heartbeat} (client or worker role): extends a grant or keeps a waiter alive. */
    public Future<Lease> heartbeat(String leaseId) {
        return requests.post(ApiPaths.lease(leaseId, "/heartbeat"), null, null, Lease::fromJson);
    }

    /**
     * {@link #heartbeat(String)} that also says what the holder is doing now ("running the agent"), which the
     * coordinator keeps with the grant and names if the job fails because its grants overran or lapsed. Sent cleaned
     * ({@link Activity#clean}: control characters as spaces, at most {@value Activity#MAX_LENGTH} characters); an
     * older coordinator ignores it.
     */
    public Future<Lease> heartbeat(String leaseId, String doing) {
        JsonObject body = new JsonObject().put("doing", Activity.clean(doing));
        return requests.post(ApiPaths.lease(leaseId, "/heartbeat"), body, null, Lease::fromJson);
    }

    /** {@code DELETE /v1/leases/{id}} (client role): releases a grant or cancels a waiting request; safe twice. */
    public Future<Lease> release(String leaseId) {
        return requests.call(HttpMethod.DELETE, ApiPaths.lease(leaseId, ""), null, Duration.ZERO, Lease::fromJson);
    }

    /** {@code POST /v1/admin/kbs/{kb}/force-release} (admin role): ends the KB's current grant, whoever holds it. */
    public Future<Void> forceRelease(KbId kb) {
        return requests.post(ApiPaths.admin(kb, "/force-release"), null, null, json -> {
            if (!json.getBoolean("released")) {
                throw new IllegalArgumentException("released is false");
            }
            return null;
        });
    }

    /** {@code POST /v1/workers/{id}/poll} (worker role): a granted job within {@code wait}, or empty. */
    public Future<Optional<Assignment>> poll(String workerId, Duration wait) {
        return poll(workerId, wait, null);
    }

    /**
     * {@code POST /v1/workers/{id}/poll} (worker role) carrying the worker's presence (renewed in the same call; null:
     * none): a granted job within {@code wait}, or empty.
     */
    public Future<Optional<Assignment>> poll(String workerId, Duration wait, WorkerPresence presence) {
        JsonObject body = new JsonObject().put("waitMs", wait.toMillis());
        if (presence != null) {
            body.put("presence", presence.toReport());
        }
        return requests.postWaiting(ApiPaths.worker(workerId, "/poll"), body, wait, Assignment::fromJson);
    }

    /**
     * {@code POST /v1/workers/{id}/give-back} (worker role): gives back the job grant {@code leaseId} that a poll of
     * {@code workerId} claimed and the worker will not run (it is stopping), so the job is offered again at once with
     * its attempt returned. True if it was taken back; false if nothing was done (the grant ended or changed hands, or
     * was given back already). Safe to send twice: a repeat does nothing and answers false.
     */
    public Future<Boolean> giveBack(String workerId, String leaseId) {
        JsonObject body = new JsonObject().put("leaseId", leaseId);
        return requests.post(
                ApiPaths.worker(workerId, "/give-back"), body, null, json -> json.getBoolean("givenBack", false));
    }

    /** {@code PUT /v1/workers/{id}} (worker role): registers or renews the worker's presence; the stored record. */
    public Future<Worker> renewWorker(String workerId, WorkerPresence presence) {
        return requests.call(
                HttpMethod.PUT, ApiPaths.worker(workerId, ""), presence.toReport(), Duration.ZERO, Worker::fromJson);
    }

    /** {@code GET /v1/workers}: every worker heard from recently (up ones first, then gone ones). */
    public Future<Workers> workers() {
        return requests.get("/v1/workers", Workers::fromJson);
    }

    /**
     * {@code POST /v1/leases/{id}/extend} (worker role): group commit, up to {@code max} queued note jobs right
     * behind the note job of {@code leaseId}, each with its own lease; a retry returns the same jobs.
     */
    public Future<List<Assignment>> extend(String leaseId, int max) {
        JsonObject body = new JsonObject().put("max", max);
        return requests.post(
                ApiPaths.lease(leaseId, "/extend"),
                body,
                null,
                json -> Assignments.fromJson(json).assignments());
    }

    /** {@code POST /v1/jobs/{id}/result} (worker role): the job's outcome; releases the KB in the same step. */
    public Future<Job> reportResult(String jobId, JobOutcome outcome) {
        return requests.post(ApiPaths.job(jobId, "/result"), outcome.toJson(), null, Job::fromJson);
    }

    /**
     * {@code GET /v1/whoami} (any role): the client's token as the coordinator sees it (name, role, KBs, users, quota);
     * {@link KbsyncException} with {@code UNAUTHENTICATED} for a token it does not know.
     */
    public Future<TokenInfo> whoami() {
        return requests.get("/v1/whoami", TokenInfo::fromJson);
    }

    /** {@code GET /healthz}: succeeds while the coordinator process answers. */
    public Future<Void> health() {
        return requests.get("/healthz").mapEmpty();
    }

    /** {@code GET /readyz}: succeeds when the coordinator reaches Redis, else {@link KbsyncException.ServiceUnavailable}. */
    public Future<Void> ready() {
        return requests.get("/readyz").mapEmpty();
    }

    /** The coordinator calls go to now (the first of {@link ClientOptions#urls()} while it answers). */
    public URI coordinator() {
        return requests.transport().endpoints().current().url();
    }

    /** How often this client moved from one coordinator to another (both ways) since it was made. */
    public long coordinatorMoves() {
        return requests.transport().endpoints().moves();
    }

    /** Closes the connections (and the Vert.x instance the client made, if it made one). */
    public Future<Void> close() {
        return requests.transport().close();
    }

    Transport transport() {
        return requests.transport();
    }
}
