package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbRemovedEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.engine.eta.Eta;
import dev.kbsync.coordinator.engine.redis.OutageLog;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.KbView;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.LocalEventCodec;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Told;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns "KB queue changed" notifications into local event-bus messages (typed events, see {@link LocalEventCodec}):
 * the {@link SnapshotEvent} on the KB address and {@link QueueAddresses#ALL}, and per ticket a {@code Position} event
 * when its ahead changed or a {@code State} event when its state changed (also when it left the queue). Refreshes of one KB never overlap; a burst of
 * notifications during a refresh collapses into one more refresh. KBs nobody on this coordinator watches are skipped
 * (their queue-length gauge is kept by the sweep instead).
 */
public final class Fanout {
    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);
    private final OutageLog publishing = new OutageLog(LOG, "publishing queues");
    private static final int ENDED_MEMORY = 4096;

    private final EventBus bus;
    private final Tickets tickets;
    private final MetricsSink metrics;
    private final Watchers watchers;
    private final Map<KbId, Map<String, Seen>> seen = new HashMap<>();
    private final Set<KbId> busy = new HashSet<>();
    private final Set<KbId> dirty = new HashSet<>();
    private final Map<String, Job> jobCache = new HashMap<>();
    /** Per job, the doing event being read (the next one waits for it: they go out in the heartbeats' order). */
    private final Map<String, Future<Void>> saying = new HashMap<>();
    /** The fencing token of the grant in the last view published per KB (0: none). */
    private final Map<KbId, Long> fences = new HashMap<>();
    /** KBs with no view published, read by a sweep and found as their streams were told: under which grant, baseline. */
    private final Map<KbId, Checked> checked = new HashMap<>();
    /** Raw leases whose grant went out directly ({@link #granted}) and that no view has shown granted yet. */
    private final Map<KbId, Set<String>> announced = new HashMap<>();
    /** KBs with state here (a view published, or {@code announced}); read from any thread by {@link #relevant}. */
    private final Set<KbId> tracked = ConcurrentHashMap.newKeySet();
    /**
     * Job and lease addresses whose final event went out: nothing more is sent to them. A ticket's end is seen twice
     * here, by the step that ended it ({@link #ended}) and by the next refresh; its stream unregisters on the first
     * final event, and a second one, already on its way, reached a consumer that was gone (Vert.x discards it with a
     * warning). The two sightings are a few Redis calls apart, so the most recent few thousand addresses suffice.
     */
    private final Set<String> ended = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > ENDED_MEMORY;
        }
    });

    /** A KB found as its streams were first told, under the grant {@code fence}, with that baseline's version. */
    private record Checked(long fence, long version) {}

    /** What changed about a ticket: which event it gets. */
    private enum Change {
        POSITION,
        STATE;

        JobEvent of(Job job) {
            return this == POSITION ? new JobEvent.Position(job) : new JobEvent.State(job);
        }

        LeaseEvent of(Lease lease) {
            return this == POSITION ? new LeaseEvent.Position(lease) : new LeaseEvent.State(lease);
        }
    }

    public Fanout(EventBus bus, Tickets tickets, MetricsSink metrics, Watchers watchers) {
        this.watchers = watchers;
        this.bus = bus;
        this.tickets = tickets;
        this.metrics = metrics;
        LocalEventCodec.registerOn(bus);
    }

    /** Must run on the engine context. */
    public void refresh(KbId kb) {
        if (!watchers.watched(kb)) {
            forget(kb); // a later watcher gets its first state from its stream, then every change
            return;
        }
        read(kb, this::publish);
    }

    /** Reads the KB's view and hands it to {@code then}; reads of one KB never overlap (see {@link #refresh}). */
    private void read(KbId kb, Function<KbView, Future<Void>> then) {
        if (!busy.add(kb)) {
            dirty.add(kb);
            return;
        }
        tickets.view(kb).compose(then).onComplete(ar -> {
            if (ar.failed()) {
                publishing.failed(kb, ar.cause());
            } else {
                publishing.succeeded();
            }
            busy.remove(kb);
            if (dirty.remove(kb)) {
                refresh(kb);
            }
        });
    }

    /**
     * Refreshes every KB watched here or whose view this coordinator keeps: after its pub/sub subscription came back,
     * the changes other coordinators published meanwhile (a job they ended, a grant they made) were lost. Must run on
     * the engine context.
     */
    public void refreshWatched() {
        Set<KbId> kbs = new HashSet<>(watchers.watchedKbs());
        kbs.addAll(tracked);
        Instant since = Instant.now().minus(CATCH_UP);
        for (KbId kb : kbs) {
            refresh(kb);
            if (!watchers.watched(kb)) {
                continue; // forgotten by that refresh: nobody here to tell
            }
            // a job that ended elsewhere meanwhile has left the queue: a stream with no earlier view learns it
            // only from the message that was lost, so its KB's recently finished jobs are told again (once: see
            // ended)
            tickets.recent(kb)
                    .onSuccess(recent -> recent.jobs().stream()
                            .filter(job ->
                                    job.finishedAt() != null && job.finishedAt().isAfter(since))
                            .filter(job -> !ended.contains(QueueAddresses.job(job.id())))
                            .forEach(job -> sendJob(Change.STATE, job)));
        }
    }

    /** How far back {@link #refreshWatched} looks for jobs that ended while the subscription was down. */
    private static final Duration CATCH_UP = Duration.ofMinutes(2);

    /**
     * A raw lease granted here: its {@code state} event goes out at once, from the grant itself, ahead of the KB's
     * refresh (which then sees nothing new for it). Must run on the engine context.
     */
    public void granted(KbId kb, Granted grant) {
        if (grant.job() || !watchers.watched(kb)) {
            return;
        }
        tracked.add(kb);
        announced.computeIfAbsent(kb, k -> new HashSet<>()).add(grant.ticket());
        lease(Change.STATE, grant.rawLease(kb));
    }

    /**
     * A heartbeat (here or elsewhere) changed what the worker of a grant says it is doing: each of its jobs still
     * running gets a {@code doing} event, the job read from Redis with the heartbeat's text (a later heartbeat's may be
     * stored already: each event shows what its own heartbeat said, in their order). Must run on the engine context.
     */
    public void doing(DoingChanged change) {
        if (!watchers.watched(change.kb())) {
            return;
        }
        for (String jobId : change.jobs()) {
            Future<Void> next = saying.getOrDefault(jobId, Future.succeededFuture())
                    .transform(before -> load(jobId))
                    .map(job -> {
                        if (job != null && job.state() == JobState.RUNNING) {
                            jobCache.computeIfPresent(jobId, (id, known) -> known.withDoing(change.text()));
                            sendJob(new JobEvent.Doing(job.withDoing(change.text())));
                        }
                        return null;
                    });
            saying.put(jobId, next);
            next.onComplete(ar -> {
                saying.remove(jobId, next);
                if (ar.failed()) {
                    publishing.failed(change.kb(), ar.cause());
                }
            });
        }
    }

    /**
     * A ticket reached its final state by a step here: its last event goes out from that step, so a stream that
     * started watching after the KB's last refresh (whose baseline does not know the ticket) still gets it. Must run
     * on the engine context.
     */
    public void ended(KbId kb, Lease lease) {
        if (watchers.watched(kb)) {
            lease(Change.STATE, lease);
        }
    }

    /** {@link #ended(KbId, Lease)} for a job. */
    public void ended(Job job) {
        if (watchers.watched(job.kb())) {
            sendJob(Change.STATE, job);
        }
    }

    /**
     * The job {@code jobId} ended by a step elsewhere (another coordinator, or a sweep here): its final event, read
     * from Redis, unless one went out already. A stream that began after the KB's last refresh has no earlier view to
     * compare with, so a refresh alone would not notice the end. Must run on the engine context.
     */
    public void jobEnded(String jobId) {
        JobRef.of(jobId).onSuccess(ref -> {
            if (watchers.watched(ref.kb())) {
                finalJob(jobId);
            }
        });
    }

    /** {@link #jobEnded} for a raw lease. */
    public void leaseEnded(String leaseId) {
        LeaseRef.of(leaseId).onSuccess(ref -> {
            if (watchers.watched(ref.kb())) {
                finalLease(ref);
            }
        });
    }

    /**
     * Whether a change of {@code kb} needs this fan-out at all (someone watches it, or there is state to drop); any
     * thread. Lets callers skip handing unwatched KBs' changes to the engine context.
     */
    public boolean relevant(KbId kb) {
        return watchers.watched(kb) || tracked.contains(kb);
    }

    /**
     * A sweep found {@code kb} granted under {@code fence} (0: not granted); a KB whose last published view showed
     * another grant is read again, so its streams hear of a grant whose announcement never arrived within a sweep's
     * rest. A KB with no view published here yet is read and compared with what its streams were first told (once
     * per grant and set of streams): only if it differs is its view published, so a stream is never sent its first
     * state again. Must run on the engine context.
     */
    public void swept(KbId kb, long fence) {
        if (busy.contains(kb)) {
            return;
        }
        if (!watchers.watched(kb)) {
            forget(kb); // its last stream closed since the last view published here
            return;
        }
        Long told = fences.get(kb);
        if (told != null) {
            if (told != fence) {
                refresh(kb);
            }
            return;
        }
        Watchers.Baseline baseline = watchers.told(kb);
        if (baseline.isEmpty()) {
            checked.remove(kb);
            return;
        }
        if (!baseline.complete()) {
            return; // a stream's first read is under way: the next sweep compares with what it was told
        }
        Checked last = checked.get(kb);
        if (last != null && last.fence() == fence && last.version() == baseline.version()) {
            return;
        }
        if (baseline.told().stream().allMatch(mark -> mark instanceof Told.Queue queue && queue.fence() == fence)) {
            return; // snapshot streams only (a dashboard), told of this grant: as for a KB with a view published
        }
        read(kb, view -> {
            if (fences.containsKey(kb) || !watchers.watched(kb)) {
                return Future.succeededFuture(); // published meanwhile, or nobody left to tell
            }
            Watchers.Baseline now = watchers.told(kb);
            if (!now.complete()) {
                return Future.succeededFuture();
            }
            if (FirstView.differs(view, now.told())) {
                return publish(view);
            }
            checked.put(kb, new Checked(view.fence() == null ? 0L : view.fence(), now.version()));
            return Future.succeededFuture();
        });
    }

    /**
     * {@code kb} was removed (here or elsewhere): its state here is dropped, its own address and
     * {@link QueueAddresses#ALL} get a {@link KbRemovedEvent} (the KB's streams end with it), its per-KB meters go.
     * Must run on the engine context.
     */
    public void removed(KbId kb) {
        forget(kb);
        KbRemovedEvent event = new KbRemovedEvent(kb);
        bus.publish(QueueAddresses.kb(kb), event);
        bus.publish(QueueAddresses.ALL, event);
        metrics.forget(kb);
    }

    private void forget(KbId kb) {
        fences.remove(kb);
        checked.remove(kb);
        tracked.remove(kb);
        announced.remove(kb);
        Map<String, Seen> was = seen.remove(kb);
        if (was != null) {
            was.values().forEach(s -> {
                if (s.jobId() != null) {
                    jobCache.remove(s.jobId());
                }
            });
        }
    }

    private Future<Void> publish(KbView view) {
        KbId kb = view.kb();
        SnapshotEvent snapshot = new SnapshotEvent(view.snapshot());
        bus.publish(QueueAddresses.kb(kb), snapshot);
        bus.publish(QueueAddresses.ALL, snapshot);
        metrics.queueLength(kb, view.rows().size());
        // no ticket in the last view published here (or none published): each ticket's streams took their first
        // state themselves
        Watchers.Baseline told = seen.containsKey(kb) ? null : watchers.told(kb);
        Map<String, Seen> before = told == null
                ? seen.get(kb)
                // after a view with no ticket, the tickets that left were told their end then
                : FirstView.baseline(view, told, fences.containsKey(kb));
        // a stream whose first read is under way may have read an older state of a ticket nobody else was told of
        boolean unsure = told != null && !told.complete();
        fences.put(kb, view.fence() == null ? 0L : view.fence());
        checked.remove(kb);
        Map<String, Seen> now = new HashMap<>();
        List<Future<Void>> sent = new ArrayList<>();
        Set<String> direct = announced.getOrDefault(kb, new HashSet<>());
        List<Eta> etas = view.etas();
        for (int rank = 0; rank < view.rows().size(); rank++) {
            KbView.Row row = view.rows().get(rank);
            long ahead = view.running(row) ? 0 : rank;
            Seen current = new Seen(ahead, view.state(row), row.jobId(), row.job() ? etas.get(rank) : Eta.NONE);
            if (direct.remove(row.ticket())) { // its grant went out already; a view read before it is stale
                current = new Seen(0, "granted", null, Eta.NONE);
                now.put(row.ticket(), current);
                if (!view.state(row).equals("granted")) {
                    direct.add(row.ticket());
                }
                continue;
            }
            now.put(row.ticket(), current);
            Seen old = before.get(row.ticket());
            boolean moved = old == null || old.movedTo(current);
            Change type = moved ? Change.POSITION : null;
            type = (old != null && !old.state().equals(current.state())) || (old == null && unsure)
                    ? Change.STATE
                    : type;
            if (type != null) {
                sent.add(row.job() ? job(type, current) : lease(type, view.lease(row, rank)));
            }
        }
        before.forEach((ticket, old) -> {
            if (!now.containsKey(ticket)) {
                sent.add(finished(kb, ticket, old));
            }
        });
        direct.retainAll(now.keySet());
        if (direct.isEmpty()) {
            announced.remove(kb);
        }
        if (now.isEmpty()) {
            seen.remove(kb);
        } else {
            seen.put(kb, now);
        }
        tracked.add(kb); // until a change finds nobody watching: then this view is forgotten
        return Future.join(sent).mapEmpty();
    }

    /** Position changes reuse the job last read here (only ahead and eta change); state changes read it again. */
    private Future<Void> job(Change type, Seen seen) {
        Job known = jobCache.get(seen.jobId());
        Future<Job> job = known != null && type == Change.POSITION ? Future.succeededFuture(known) : load(seen.jobId());
        return job.map(j -> {
            if (j != null) {
                jobCache.put(j.id(), j);
                sendJob(
                        type,
                        j.at(
                                JobState.fromWire(seen.state()),
                                seen.ahead(),
                                seen.eta().etaMs(),
                                seen.eta().p90Ms()));
            }
            return null;
        });
    }

    /** The ticket left the queue: its final event, unless the step that ended it here sent that already. */
    private Future<Void> finished(KbId kb, String ticket, Seen old) {
        if (old.jobId() != null) {
            jobCache.remove(old.jobId());
            return finalJob(old.jobId());
        }
        return finalLease(LeaseRef.parse(LeaseRef.raw(kb, ticket)));
    }

    /** The job's final event, read from Redis, unless one went out already (or it has not ended after all). */
    private Future<Void> finalJob(String jobId) {
        if (ended.contains(QueueAddresses.job(jobId))) {
            return Future.succeededFuture();
        }
        return load(jobId).map(job -> {
            if (job != null && job.state().terminal()) {
                sendJob(Change.STATE, job);
            }
            return null;
        });
    }

    /** {@link #finalJob} for a raw lease. */
    private Future<Void> finalLease(LeaseRef ref) {
        if (ended.contains(QueueAddresses.lease(ref.id()))) {
            return Future.succeededFuture();
        }
        return tickets.ticket(ref.kb(), ref.ticket()).map(state -> {
            state.map(s -> s.lease(ref))
                    .filter(lease -> lease.state() == LeaseState.RELEASED || lease.state() == LeaseState.EXPIRED)
                    .ifPresent(lease -> lease(Change.STATE, lease));
            return null;
        });
    }

    private Future<Job> load(String jobId) {
        return JobRef.of(jobId).compose(tickets::job).map(job -> job.orElse(null));
    }

    private void sendJob(Change type, Job job) {
        sendJob(type.of(job));
    }

    private void sendJob(JobEvent event) {
        Job job = event.job();
        if (send(QueueAddresses.job(job.id()), event)) {
            bus.publish(QueueAddresses.JOBS, event);
            if (event.last()) {
                bus.publish(QueueAddresses.ended(job.kb()), event);
            }
        }
    }

    private Future<Void> lease(Change type, Lease lease) {
        LeaseEvent event = type.of(lease);
        if (send(QueueAddresses.lease(lease.id()), event) && event.last()) {
            bus.publish(QueueAddresses.ended(lease.kb()), event);
        }
        return Future.succeededFuture();
    }

    /** Publishes a job's or lease's event, unless its final event went out already; whether it did. */
    private boolean send(String address, KbsyncEvent event) {
        if (ended.contains(address)) {
            return false;
        }
        if (event.last()) {
            ended.add(address);
        }
        bus.publish(address, event);
        return true;
    }
}
