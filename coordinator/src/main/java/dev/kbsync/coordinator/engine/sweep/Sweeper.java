package dev.kbsync.coordinator.engine.sweep;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.driver.Drivers;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.lease.Grants;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Sweep;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import io.vertx.core.Future;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every coordinator's periodic pass over every registered KB (idempotent, atomic per KB): dead raw waiters leave the
 * queue, an overdue grant ends (raw: expired; job: back to queued at the head), and a driverless KB with tickets is
 * claimed by this coordinator, which then carries on acquiring for its head.
 */
public final class Sweeper {
    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    private final Tickets tickets;
    private final RedisKbRegistry kbs;
    private final Drivers drivers;
    private final Grants grants;
    private final Changes changes;
    private final MetricsSink metrics;
    private final DriverSettings settings;
    private boolean running;
    private boolean failing;
    private boolean stopped;
    private Future<Void> inFlight = Future.succeededFuture();

    public Sweeper(
            Tickets tickets,
            RedisKbRegistry kbs,
            Drivers drivers,
            Grants grants,
            Changes changes,
            MetricsSink metrics,
            DriverSettings settings) {
        this.tickets = tickets;
        this.kbs = kbs;
        this.drivers = drivers;
        this.grants = grants;
        this.changes = changes;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** One pass; skipped while the previous one still runs. Runs on the engine context. */
    public void tick() {
        if (running || stopped) {
            return;
        }
        running = true;
        inFlight = kbs.ids()
                .compose(ids -> Future.join(ids.stream().map(this::sweep).toList()))
                .<Void>mapEmpty()
                .andThen(ar -> {
                    running = false;
                    if (ar.failed() && !failing) {
                        LOG.warn(
                                "sweep failed (logged once until it recovers): {}",
                                ar.cause().toString());
                    } else if (ar.succeeded() && failing) {
                        LOG.info("sweep recovered");
                    }
                    failing = ar.failed();
                })
                .recover(e -> Future.succeededFuture());
    }

    /** No more passes; completes when the pass in flight (which may claim KBs) is over. Runs on the engine context. */
    public Future<Void> stop() {
        stopped = true;
        return inFlight;
    }

    private Future<Void> sweep(KbId kb) {
        return tickets.sweep(kb, settings.coordinatorId(), settings.driverTtlMs())
                .compose(result -> {
                    metrics.queueLength(kb, result.queueLength());
                    drive(kb, result);
                    if (!result.dropped().isEmpty()) {
                        LOG.info(
                                "KB {}: {} waiter(s) not kept alive left the queue",
                                kb,
                                result.dropped().size());
                        changes.changed(kb);
                    }
                    return result.overdueLeaseId().isEmpty() ? Future.succeededFuture() : expire(kb, result);
                });
    }

    private void drive(KbId kb, Sweep result) {
        switch (result.driver()) {
            case "claimed" -> {
                LOG.info("KB {}: no live driver; this coordinator ({}) takes over", kb, settings.coordinatorId());
                drivers.of(kb).confirmDriving();
                drivers.pump(kb);
            }
            case "mine" -> {
                drivers.of(kb).confirmDriving();
                drivers.pump(kb);
            }
            default -> drivers.resign(kb);
        }
    }

    private Future<Void> expire(KbId kb, Sweep result) {
        LeaseRef ref = LeaseRef.parse(result.overdueLeaseId());
        return grants.end(ref, "expired").map(r -> {
            if (r instanceof Ended ended) {
                metrics.expired(kb);
                String why = "max".equals(result.reason())
                        ? String.format(
                                Locale.ROOT, "reached its maximum hold of %.1f s", seconds(settings.maxHoldMs()))
                        : String.format(Locale.ROOT, "expired after %.1f s without heartbeat", seconds(ended.ttlMs()));
                LOG.warn("lease {} of KB {} held by {} {}; granting next", ref.id(), kb, ended.holder(), why);
            }
            return null;
        });
    }

    private static double seconds(long ms) {
        return ms / 1000.0;
    }
}
