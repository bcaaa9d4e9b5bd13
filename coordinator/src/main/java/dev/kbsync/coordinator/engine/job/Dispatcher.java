package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.store.JobStore;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import io.vertx.core.Future;
import java.util.function.BiConsumer;
import org.redisson.api.RQueue;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to grants made here (by a driver or by an enqueue or release step): reports them and makes a granted job
 * dispatchable by pushing its lease id on {@code kbsync:ready} and waking every coordinator's pollers. A job that
 * finished meanwhile is released instead ({@code released} takes that step's result).
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final String READY = "kbsync:ready";

    private final Redis redis;
    private final Tickets tickets;
    private final JobStore jobs;
    private final Events events;
    private final MetricsSink metrics;
    private final RQueue<String> ready;
    private final BiConsumer<KbId, ReleaseResult> released;

    public Dispatcher(
            Redis redis,
            Tickets tickets,
            JobStore jobs,
            Events events,
            MetricsSink metrics,
            BiConsumer<KbId, ReleaseResult> released) {
        this.released = released;
        this.redis = redis;
        this.tickets = tickets;
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
        this.ready = redis.client().getQueue(READY, StringCodec.INSTANCE);
    }

    public void granted(KbId kb, Granted grant) {
        metrics.granted(kb, Math.max(0, grant.nowMs() - grant.createdMs()));
        if (grant.job()) {
            dispatch(kb, grant).onFailure(e -> LOG.warn("dispatching job {} failed: {}", grant.jobId(), e.toString()));
        }
    }

    private Future<Void> dispatch(KbId kb, Granted grant) {
        return jobs.load(grant.jobId()).compose(stored -> {
            if (stored.isPresent() && !stored.get().job().state().terminal()) {
                return redis.on(ready.offerAsync(grant.leaseId())).map(ok -> {
                    events.ready();
                    return null;
                });
            }
            LOG.info("job {} of KB {} already finished; releasing its grant", grant.jobId(), kb);
            LeaseRef ref = LeaseRef.parse(grant.leaseId());
            return tickets.release(ref, "released", false).map(r -> {
                released.accept(kb, r);
                return null;
            });
        });
    }
}
