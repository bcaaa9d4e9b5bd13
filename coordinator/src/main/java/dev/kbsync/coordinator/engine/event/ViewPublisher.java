package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.engine.eta.Eta;
import dev.kbsync.coordinator.engine.ticket.KbView;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The {@link Fanout}'s per-KB side: publishes a KB's view (its {@link SnapshotEvent}, and per ticket the event of what
 * changed since the view published before, or since what its streams were first told) and keeps what it published.
 * Engine context only, but {@link #tracked} from any thread.
 */
final class ViewPublisher {
    private final EventBus bus;
    private final MetricsSink metrics;
    private final Watchers watchers;
    private final TicketSender sender;
    private final Map<KbId, Map<String, Seen>> seen = new HashMap<>();
    private final Map<String, Job> jobCache = new HashMap<>();
    /** The fencing token of the grant in the last view published per KB (0: none). */
    private final Map<KbId, Long> fences = new HashMap<>();
    /** KBs with no view published, read by a sweep and found as their streams were told: under which grant, baseline. */
    private final Map<KbId, Checked> checked = new HashMap<>();
    /** Raw leases whose grant went out directly ({@link Fanout#granted}) and that no view has shown granted yet. */
    private final Map<KbId, Set<String>> announced = new HashMap<>();
    /**
     * Per KB with a view published here, the generation it was first published under ({@link #forget} ends it): a job
     * read for an event of an earlier generation keeps nothing.
     */
    private final Map<KbId, Long> generations = new HashMap<>();

    private long lastGeneration;
    /** KBs with state here (a view published, or {@code announced}); read from any thread by {@link #tracked}. */
    private final Set<KbId> tracked = ConcurrentHashMap.newKeySet();

    /** A KB found as its streams were first told, under the grant {@code fence}, with that baseline's version. */
    private record Checked(long fence, long version) {}

    ViewPublisher(EventBus bus, MetricsSink metrics, Watchers watchers, TicketSender sender) {
        this.bus = bus;
        this.metrics = metrics;
        this.watchers = watchers;
        this.sender = sender;
    }

    /** Whether this keeps state of {@code kb}; any thread. */
    boolean tracked(KbId kb) {
        return tracked.contains(kb);
    }

    /** The KBs this keeps state of. */
    Set<KbId> trackedKbs() {
        return tracked;
    }

    /** The grant of the raw lease {@code ticket} went out directly: a view read before it must not undo it. */
    void announced(KbId kb, String ticket) {
        tracked.add(kb);
        announced.computeIfAbsent(kb, k -> new HashSet<>()).add(ticket);
    }

    /** The worker of the running job {@code jobId} now says {@code text}: the job kept here says it too. */
    void doing(String jobId, String text) {
        jobCache.computeIfPresent(jobId, (id, known) -> known.withDoing(text));
    }

    /** The fencing token of the grant in the last view of {@code kb} published here (0: none); null: none published. */
    Long fence(KbId kb) {
        return fences.get(kb);
    }

    /** Whether a sweep found {@code kb} as its streams were told, under grant {@code fence} and baseline {@code version}. */
    boolean checked(KbId kb, long fence, long version) {
        Checked last = checked.get(kb);
        return last != null && last.fence() == fence && last.version() == version;
    }

    /** {@code kb}'s streams changed to none: what a sweep found is moot. */
    void unchecked(KbId kb) {
        checked.remove(kb);
    }

    /**
     * A sweep's read of a KB with no view published: publishes it if it differs from what the KB's streams were first
     * told, or remembers that it did not.
     */
    Future<Void> compare(KbView view) {
        KbId kb = view.kb();
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
    }

    /** The ids of the jobs whose last read this keeps (what a position event of each reuses). */
    Set<String> jobsKept() {
        return Set.copyOf(jobCache.keySet());
    }

    /** Drops all state of {@code kb}. */
    void forget(KbId kb) {
        generations.remove(kb);
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

    Future<Void> publish(KbView view) {
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
        long generation = generations.computeIfAbsent(kb, k -> ++lastGeneration);
        Map<String, Seen> now = new HashMap<>();
        // sent once this view is kept: a job read may be answered at once (Redis answered before its callback was
        // added), and keeps what it read only if this view shows its ticket
        List<Supplier<Future<Void>>> sends = new ArrayList<>();
        Set<String> direct = announced.getOrDefault(kb, new HashSet<>());
        List<Eta> etas = view.etas();
        for (int rank = 0; rank < view.rows().size(); rank++) {
            KbView.Row row = view.rows().get(rank);
            long ahead = view.running(row) ? 0 : rank;
            Seen current = new Seen(
                    ahead,
                    view.state(row),
                    row.jobId(),
                    row.job() ? etas.get(rank) : Eta.NONE,
                    view.running(row) ? view.fence() : null);
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
            boolean regranted = old != null && old.regrantedIn(current);
            type = (old != null && !old.state().equals(current.state())) || (old == null && unsure) || regranted
                    ? Change.STATE
                    : type;
            if (regranted) {
                String jobId = current.jobId();
                sends.add(() -> requeued(jobId));
            }
            if (type != null) {
                Change change = type;
                Seen shown = current;
                Kept where = new Kept(kb, row.ticket(), generation);
                Lease lease = row.job() ? null : view.lease(row, rank);
                sends.add(() -> lease == null ? job(change, shown, where) : sender.lease(change, lease));
            }
        }
        before.forEach((ticket, old) -> {
            if (!now.containsKey(ticket)) {
                sends.add(() -> finished(kb, ticket, old));
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
        List<Future<Void>> sent = sends.stream().map(Supplier::get).toList();
        return Future.join(sent).mapEmpty();
    }

    /**
     * The running job went back to the queue and was claimed again since the last view: its {@code queued} state goes
     * out first (the job as last read here, back at the head), so its running event, with the new grant's token, is
     * news to every stream.
     */
    private Future<Void> requeued(String jobId) {
        Job known = jobCache.get(jobId);
        if (known != null) {
            sender.job(Change.STATE, known.at(JobState.QUEUED, 0, 0, 0));
        }
        return Future.succeededFuture();
    }

    /** Where a job read for a ticket's event would be kept: its KB, its ticket, the KB's generation here. */
    private record Kept(KbId kb, String ticket, long generation) {}

    /**
     * Position changes reuse the job last read here (only ahead and eta change); state changes read it again. A read
     * is kept only while its KB's state here is the one it was read for and shows its ticket: one answered after the
     * KB was forgotten (its last stream closed) or the ticket left would stay, and go out stale to a later stream.
     */
    private Future<Void> job(Change type, Seen seen, Kept where) {
        Job known = jobCache.get(seen.jobId());
        Future<Job> job =
                known != null && type == Change.POSITION ? Future.succeededFuture(known) : sender.load(seen.jobId());
        return job.map(j -> {
            if (j != null) {
                if (current(where)) {
                    jobCache.put(j.id(), j);
                }
                sender.job(
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

    private boolean current(Kept where) {
        Long generation = generations.get(where.kb());
        return generation != null
                && generation == where.generation()
                && seen.getOrDefault(where.kb(), Map.of()).containsKey(where.ticket());
    }

    /** The ticket left the queue: its final event, unless the step that ended it here sent that already. */
    private Future<Void> finished(KbId kb, String ticket, Seen old) {
        if (old.jobId() != null) {
            jobCache.remove(old.jobId());
            return sender.finalJob(old.jobId());
        }
        return sender.finalLease(LeaseRef.parse(LeaseRef.raw(kb, ticket)));
    }
}
