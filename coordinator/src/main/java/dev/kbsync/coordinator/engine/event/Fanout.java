package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbRemovedEvent;
import dev.kbsync.api.event.SnapshotEvent;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns "KB queue changed" notifications into local event-bus messages (typed events, see {@link LocalEventCodec}):
 * the {@link SnapshotEvent} on the KB address and {@link QueueAddresses#ALL}, and per ticket a {@code Position} event
 * when its ahead changed or a {@code State} event when its state changed (also when it left the queue). Refreshes of one KB never overlap; a burst of
 * notifications during a refresh collapses into one more refresh. KBs nobody on this coordinator watches are skipped
 * (their queue-length gauge is kept by the sweep instead). The views published and their diffs are kept by
 * {@link ViewPublisher}, the per-ticket sends by {@link TicketSender}; this orders the reads and says who to tell.
 */
public final class Fanout {
    private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);
    private final OutageLog publishing = new OutageLog(LOG, "publishing queues");

    private final EventBus bus;
    private final Tickets tickets;
    private final MetricsSink metrics;
    private final Watchers watchers;
    private final TicketSender sender;
    private final ViewPublisher views;
    private final Set<KbId> busy = new HashSet<>();
    private final Set<KbId> dirty = new HashSet<>();
    /** Per job, the doing event being read (the next one waits for it: they go out in the heartbeats' order). */
    private final Map<String, Future<Void>> saying = new HashMap<>();

    public Fanout(EventBus bus, Tickets tickets, MetricsSink metrics, Watchers watchers) {
        this.watchers = watchers;
        this.bus = bus;
        this.tickets = tickets;
        this.metrics = metrics;
        this.sender = new TicketSender(bus, tickets);
        this.views = new ViewPublisher(bus, metrics, watchers, sender);
        LocalEventCodec.registerOn(bus);
    }

    /** Must run on the engine context. */
    public void refresh(KbId kb) {
        if (!watchers.watched(kb)) {
            views.forget(kb); // a later watcher gets its first state from its stream, then every change
            return;
        }
        read(kb, views::publish);
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
        kbs.addAll(views.trackedKbs());
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
                            .filter(job -> !sender.ended(QueueAddresses.job(job.id())))
                            .forEach(job -> sender.job(Change.STATE, job)));
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
        views.announced(kb, grant.ticket());
        sender.lease(Change.STATE, grant.rawLease(kb));
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
                    .transform(before -> sender.load(jobId))
                    .map(job -> {
                        if (job != null && job.state() == JobState.RUNNING) {
                            views.doing(jobId, change.text());
                            sender.job(new JobEvent.Doing(job.withDoing(change.text())));
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
            sender.lease(Change.STATE, lease);
        }
    }

    /** {@link #ended(KbId, Lease)} for a job. */
    public void ended(Job job) {
        if (watchers.watched(job.kb())) {
            sender.job(Change.STATE, job);
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
                sender.finalJob(jobId);
            }
        });
    }

    /** {@link #jobEnded} for a raw lease. */
    public void leaseEnded(String leaseId) {
        LeaseRef.of(leaseId).onSuccess(ref -> {
            if (watchers.watched(ref.kb())) {
                sender.finalLease(ref);
            }
        });
    }

    /**
     * Whether a change of {@code kb} needs this fan-out at all (someone watches it, or there is state to drop); any
     * thread. Lets callers skip handing unwatched KBs' changes to the engine context.
     */
    public boolean relevant(KbId kb) {
        return watchers.watched(kb) || views.tracked(kb);
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
            views.forget(kb); // its last stream closed since the last view published here
            return;
        }
        Long told = views.fence(kb);
        if (told != null) {
            if (told != fence) {
                refresh(kb);
            }
            return;
        }
        Watchers.Baseline baseline = watchers.told(kb);
        if (baseline.isEmpty()) {
            views.unchecked(kb);
            return;
        }
        if (!baseline.complete()) {
            return; // a stream's first read is under way: the next sweep compares with what it was told
        }
        if (views.checked(kb, fence, baseline.version())) {
            return;
        }
        if (baseline.told().stream().allMatch(mark -> mark instanceof Told.Queue queue && queue.fence() == fence)) {
            return; // snapshot streams only (a dashboard), told of this grant: as for a KB with a view published
        }
        read(kb, views::compare);
    }

    /**
     * {@code kb} was removed (here or elsewhere): its state here is dropped, its own address and
     * {@link QueueAddresses#ALL} get a {@link KbRemovedEvent} (the KB's streams end with it), its per-KB meters go.
     * Must run on the engine context.
     */
    public void removed(KbId kb) {
        views.forget(kb);
        KbRemovedEvent event = new KbRemovedEvent(kb);
        bus.publish(QueueAddresses.kb(kb), event);
        bus.publish(QueueAddresses.ALL, event);
        metrics.forget(kb);
    }
}
