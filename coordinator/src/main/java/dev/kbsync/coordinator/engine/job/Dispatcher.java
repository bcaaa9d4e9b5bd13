package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ready;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to grants made here (by a driver or by an enqueue, release or sweep step): reports them and makes a granted
 * job dispatchable by adding its KB to its job kind's ready set ({@link ReadySets}: a sorted set of KB ids by the time
 * their jobs became ready, {@link Ready}, on Redis's clock, kept while a job's grant lapses unclaimed, is given back or
 * is made again; at most one entry per KB, so it stays bounded whoever polls) and waking every coordinator's
 * pollers; a worker polls the sets of the kinds it runs. A stale entry (the
 * grant was claimed or ended meanwhile) costs a poller one claim step that finds nothing. A grant with a preferred
 * worker (worker affinity: the grant step reserved it for that worker, see claim.lua) is first offered to that
 * worker's polls here ({@link Poller#offer}); when the offer lapses, or is not made (the worker is busy or unknown
 * here), the reservation is lifted and the grant made dispatchable to all.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private final Redis redis;
    private final Events events;
    private final MetricsSink metrics;
    private final ReadySets ready;
    private final Poller poller;
    private final Tickets tickets;

    public Dispatcher(Redis redis, Events events, MetricsSink metrics, Poller poller, Tickets tickets) {
        this.redis = redis;
        this.tickets = tickets;
        this.events = events;
        this.metrics = metrics;
        this.poller = poller;
        this.ready = poller.readySets();
    }

    public void granted(KbId kb, Granted grant) {
        metrics.granted(kb, Math.max(0, grant.nowMs() - grant.createdMs()));
        if (!grant.job()) {
            return;
        }
        Ready job = grant.ready();
        grant.preferredWorker()
                .ifPresentOrElse(
                        worker -> redis.context().runOnContext(v -> {
                            Runnable toAll = () -> toAll(kb, job, grant.leaseId());
                            if (!poller.offer(kb, job.kind(), worker, toAll)) {
                                toAll.run();
                            }
                        }),
                        () -> dispatch(kb, job));
    }

    /** Lifts the grant's reservation for its preferred worker, then makes it dispatchable to all. */
    private void toAll(KbId kb, Ready job, String leaseId) {
        tickets.unreserve(kb, leaseId).onComplete(r -> {
            if (r.failed()) { // the reservation lapses by itself after the window
                LOG.debug("unreserving {} failed: {}", leaseId, r.cause().toString());
            }
            dispatch(kb, job);
        });
    }

    /**
     * Makes a new job grant dispatchable at its place, and wakes the pollers. An entry may be there already, stale (the
     * sweep added the KB back while a poll that had taken it claimed it), at an earlier grant's older place, which a job
     * that had a worker and lost it no longer has: the score is raised to the grant's ({@code ZADD GT}; a KB's place
     * only ever moves later, so a dispatch that comes late, after a newer grant's, changes nothing).
     */
    private void dispatch(KbId kb, Ready job) {
        redis.on(ready.of(job.kind()).addIfGreaterAsync(job.sinceMs(), kb.value()))
                .onSuccess(added -> events.ready())
                .onFailure(e -> LOG.warn("dispatching KB {} failed (the next sweep retries): {}", kb, e.toString()));
    }

    /**
     * The sweep found {@code kb}'s job grant unclaimed ({@code job}): dispatchable again, unless it is offered to a
     * worker now.
     */
    public void swept(KbId kb, Ready job) {
        redis.context().runOnContext(v -> {
            if (!poller.offered(kb)) {
                ready(kb, job);
            }
        });
    }

    /**
     * Makes the KB's job grant dispatchable at its place (no-op if it already is). The sweep calls it for every live
     * unclaimed job grant, at least every {@code Sweep#BUSY_MAX}, so a grant whose coordinator died before dispatching
     * it waits about a second (at once when its change was announced here), not its lease TTL.
     */
    public void ready(KbId kb, Ready job) {
        redis.on(ready.of(job.kind()).addIfAbsentAsync(job.sinceMs(), kb.value()))
                .onSuccess(added -> {
                    if (added) {
                        events.ready();
                    }
                })
                .onFailure(e -> LOG.warn("dispatching KB {} failed (the next sweep retries): {}", kb, e.toString()));
    }
}
