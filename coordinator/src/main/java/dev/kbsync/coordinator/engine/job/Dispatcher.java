package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.metrics.MetricsSink;
import org.redisson.api.RScoredSortedSet;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to grants made here (by a driver or by an enqueue, release or sweep step): reports them and makes a granted
 * job dispatchable by adding its KB to {@code kbsync:ready} (a sorted set of KB ids by the time they became ready: at
 * most one entry per KB, so it stays bounded whoever polls) and waking every coordinator's pollers. A stale entry (the
 * grant was claimed or ended meanwhile) costs a poller one claim step that finds nothing.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final String READY = "kbsync:ready";

    private final Redis redis;
    private final Events events;
    private final MetricsSink metrics;
    private final RScoredSortedSet<String> ready;

    public Dispatcher(Redis redis, Events events, MetricsSink metrics) {
        this.redis = redis;
        this.events = events;
        this.metrics = metrics;
        this.ready = redis.client().getScoredSortedSet(READY, StringCodec.INSTANCE);
    }

    public void granted(KbId kb, Granted grant) {
        metrics.granted(kb, Math.max(0, grant.nowMs() - grant.createdMs()));
        if (grant.job()) {
            ready(kb);
        }
    }

    /**
     * Makes the KB's job grant dispatchable (no-op if it already is). The sweep calls it for every live unclaimed job
     * grant, so a grant whose coordinator died before dispatching it waits one sweep interval, not its lease TTL.
     */
    public void ready(KbId kb) {
        redis.on(ready.addIfAbsentAsync(System.currentTimeMillis(), kb.value()))
                .onSuccess(added -> {
                    if (added) {
                        events.ready();
                    }
                })
                .onFailure(e -> LOG.warn("dispatching KB {} failed (the next sweep retries): {}", kb, e.toString()));
    }
}
