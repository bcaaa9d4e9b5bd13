package dev.kbsync.coordinator.engine.sweep;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.driver.Drivers;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.redis.OutageLog;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.EndReason;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ready;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Sweep;
import dev.kbsync.coordinator.engine.ticket.TicketKind;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.engine.worker.AgentFleet;
import dev.kbsync.coordinator.metrics.MetricsSink;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every coordinator's periodic pass over every registered KB, one atomic step per KB: dead raw waiters leave the
 * queue, an overdue grant ends in the same step that found it (raw: expired; job: back to queued at the head, or
 * failed on its last attempt) and the next ticket is granted, records past their retention are deleted, a live job
 * grant no worker took yet is made dispatchable (again), due webhook deliveries start, and a driverless KB with tickets is claimed by this
 * coordinator, which then carries on acquiring for its head. A KB the last pass found resting (quiet: no ticket, grant
 * or waiter; or held by a grant) is left out of the passes until something happens to it ({@link #touch}: a change
 * made here or announced by another coordinator), the next thing it must do falls due (its grant's expiry, its first
 * waiter's keep-alive, its next record or webhook), or its longest rest passed
 * ({@link Sweep#BUSY_MAX} held, {@link Sweep#QUIET_MAX} quiet); so an idle KB costs Redis one step every few seconds
 * and one whose holder works while others wait about one a second, not one per tick. The list of registered KBs is
 * read again at that pace too, beside the passes: a pass sweeps the last list read (and the KBs touched or busy) while
 * the next read is under way, and goes on with it while reads fail (on a Redis Cluster, the registry's shard without a
 * master: the other shards' KBs are still swept, docs/operations.md). A pass that fails (Redis unreachable, failing
 * over, one KB's shard down) forgets the rests and has the list read again: a failover may bring back work a resting
 * KB had finished, or a registration. A KB removed ({@link #forget}) is not swept again, however it is touched (a late
 * webhook retry, a late change event), and the
 * result of a step in flight at its removal is dropped, so neither brings its per-KB meters back; it is swept again
 * once a read of the registered KBs lists it (registered again). It is remembered as removed for the webhooks' retry
 * window and an hour more ({@link ForgottenKbs}), not for the process's whole life.
 */
public final class Sweeper {
    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
    /**
     * A pass's sweep steps in flight at once. A release or submit sent during a pass waits behind at most this many
     * instead of one per KB with queued work; the pass stays Redis-bound (about 80 us of Redis per step) unless a round
     * trip to Redis exceeds about 16 x 80 us, i.e. 1.3 ms.
     */
    static final int IN_FLIGHT = 16;

    private final Tickets tickets;
    private final RedisKbRegistry kbs;
    private final Drivers drivers;
    private final Changes changes;
    private final MetricsSink metrics;
    private final DriverSettings settings;
    private final BiConsumer<KbId, Ready> dispatch;
    private final Consumer<KbId> webhooks;
    private final AgentFleet agents;
    private final Map<KbId, Long> restUntil = new ConcurrentHashMap<>(); // System.nanoTime()
    private final Set<KbId> touched = ConcurrentHashMap.newKeySet();
    private final Set<KbId> busy = ConcurrentHashMap.newKeySet(); // the last pass found work
    private final ForgottenKbs removed; // forgotten, not listed since (for as long as a webhook retry may touch them)

    private List<KbId> registered = List.of(); // the last list read
    private long registeredAt;
    private boolean relist = true; // read the list at the next pass
    private boolean reading; // a read of the list is under way
    private boolean running;
    private final OutageLog outage = new OutageLog(LOG, "sweep");
    private final OutageLog registryOutage = new OutageLog(LOG, "reading the registered KBs for the sweep");
    private boolean stopped;
    private Future<Void> inFlight = Future.succeededFuture();

    public Sweeper(
            Tickets tickets,
            RedisKbRegistry kbs,
            Drivers drivers,
            Changes changes,
            MetricsSink metrics,
            DriverSettings settings,
            BiConsumer<KbId, Ready> dispatch,
            Consumer<KbId> webhooks,
            AgentFleet agents,
            Duration forgottenFor) {
        this.agents = agents;
        this.removed = new ForgottenKbs(forgottenFor, System::nanoTime);
        this.dispatch = dispatch;
        this.webhooks = webhooks;
        this.tickets = tickets;
        this.kbs = kbs;
        this.drivers = drivers;
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
        long now = System.nanoTime();
        inFlight = InFlightWindow.all(List.copyOf(due(registered(now), now)), IN_FLIGHT, this::sweep)
                .andThen(ar -> {
                    running = false;
                    if (ar.failed()) { // Redis failed over or came back: what it holds may differ from what was seen
                        restUntil.clear();
                        relist = true;
                    }
                    if (ar.failed()) {
                        outage.failed("a pass", ar.cause());
                    } else {
                        outage.succeeded();
                    }
                })
                .recover(e -> Future.succeededFuture());
    }

    /** {@code kb} was removed: it leaves the passes (its kept records expire by themselves). Runs on the engine context. */
    public void forget(KbId kb) {
        removed.forgot(kb);
        registered = registered.stream().filter(id -> !id.equals(kb)).toList();
        restUntil.remove(kb);
        touched.remove(kb);
        busy.remove(kb);
    }

    /**
     * Something happened to {@code kb} (here or elsewhere): the next pass sweeps it, resting or not, unless it was removed
     * (and not listed again since). Thread-safe.
     */
    public void touch(KbId kb) {
        if (removed.contains(kb)) {
            return;
        }
        restUntil.remove(kb);
        touched.add(kb);
    }

    /** Whether {@code kb} was removed (and no read of the registered KBs listed it since). Thread-safe. */
    public boolean removed(KbId kb) {
        return removed.contains(kb);
    }

    /**
     * The KBs registered as the last read found them. A read falls due every {@link Sweep#QUIET_MAX} (every pass while
     * none found any) and after a failed pass or read. It runs beside the passes, which sweep the last list meanwhile
     * and whatever the read answers: on a Redis Cluster a read of a registry whose shard has no master fails only after
     * Redisson's retries (5-20 s), and the other shards' KBs must still be swept. So the first pass sweeps only the KBs
     * touched; the next one the list.
     */
    private List<KbId> registered(long now) {
        if (!reading && (relist || registered.isEmpty() || now - registeredAt >= Sweep.QUIET_MAX.toNanos())) {
            relist = false;
            registeredAt = now;
            reading = true;
            kbs.ids().onComplete(this::listed);
        }
        return registered;
    }

    private void listed(AsyncResult<List<KbId>> read) {
        reading = false;
        if (read.failed()) {
            relist = true;
            registryOutage.failed("a read", read.cause());
            return;
        }
        registryOutage.succeeded();
        List<KbId> ids = read.result();
        registered = ids;
        restUntil.keySet().retainAll(Set.copyOf(ids)); // a deleted KB is no longer swept
        removed.listed(ids); // registered again, or forgotten long enough
    }

    /**
     * The KBs this pass sweeps: every registered one not seen resting, every resting one whose rest is over, every one
     * touched since the last pass and every one the last pass found work in (also when the list of registered KBs read a
     * few seconds ago lacks them).
     */
    private Set<KbId> due(List<KbId> ids, long now) {
        Set<KbId> due = new LinkedHashSet<>();
        for (KbId kb : ids) {
            if (!restUntil.containsKey(kb)) {
                due.add(kb);
            }
        }
        restUntil.forEach((kb, until) -> {
            if (now - until >= 0) {
                due.add(kb);
            }
        });
        for (KbId kb : List.copyOf(touched)) {
            touched.remove(kb);
            due.add(kb);
        }
        due.addAll(busy);
        return due;
    }

    /**
     * A resting KB's full pause is drawn from its second half, so that KBs found resting by one pass (every KB at the
     * start) come due over a few seconds instead of all in one later pass.
     */
    private static Duration spread(Duration rest) {
        if (!rest.equals(Sweep.QUIET_MAX)) {
            return rest;
        }
        long ms = rest.toMillis();
        return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }

    /** No more passes; completes when the pass in flight (which may claim KBs) is over. Runs on the engine context. */
    public Future<Void> stop() {
        stopped = true;
        return inFlight;
    }

    private Future<Void> sweep(KbId kb) {
        long started = System.nanoTime();
        return tickets.sweep(kb, agents.noAgentWorker()).map(result -> {
            if (removed.contains(kb)) {
                return null; // removed while its step was in flight
            }
            result.restFor()
                    .ifPresentOrElse(
                            rest -> {
                                busy.remove(kb);
                                if (!touched.contains(kb)) {
                                    restUntil.put(kb, started + spread(rest).toNanos());
                                }
                            },
                            () -> {
                                restUntil.remove(kb);
                                busy.add(kb);
                            });
            metrics.queueLength(kb, result.queueLength());
            drive(kb, result);
            if (!result.dropped().isEmpty()) {
                LOG.info(
                        "KB {}: {} waiter(s) not kept alive left the queue",
                        kb,
                        result.dropped().size());
            }
            result.ended().ifPresent(ended -> {
                expired(kb, ended);
                ended.failed().forEach(ticket -> changes.ended(kb, true, new JobRef(kb, ticket).id()));
            });
            if (result.ended().isPresent()) {
                changes.released(kb, result.ended().get());
            } else if (result.next() instanceof Granted granted) {
                changes.granted(kb, granted);
            } else if (!result.dropped().isEmpty()) {
                changes.changed(kb);
            }
            result.stranded().ifPresent(ended -> stranded(kb, ended));
            changes.swept(kb, result.fence());
            result.unclaimed().ifPresent(job -> {
                if (job.kind() == JobKind.AGENT) {
                    agents.wanted();
                }
                dispatch.accept(kb, job);
            });
            webhooks.accept(kb);
            return null;
        });
    }

    /** An agent task granted and not taken failed NO_AGENT_WORKER (no known worker runs agents); the next job goes on. */
    private void stranded(KbId kb, Ended ended) {
        String job = new JobRef(kb, ended.ticket()).id();
        LOG.warn(
                "KB {}: agent task {} failed NO_AGENT_WORKER: every known worker runs notes only (start one with an agent"
                        + " command)",
                kb,
                job);
        metrics.released(kb, ended.heldMs());
        changes.released(kb, ended);
        changes.ended(kb, true, job);
    }

    private void drive(KbId kb, Sweep result) {
        switch (result.driver()) {
            case CLAIMED -> {
                LOG.info("KB {}: no live driver; this coordinator ({}) takes over", kb, settings.coordinatorId());
                drivers.of(kb).swept(result.granted());
            }
            case MINE -> drivers.of(kb).swept(result.granted());
            default -> drivers.resign(kb);
        }
    }

    private void expired(KbId kb, Ended ended) {
        metrics.expired(kb);
        metrics.released(kb, ended.heldMs());
        String why = ended.reason() == EndReason.MAX
                ? String.format(Locale.ROOT, "reached its maximum hold of %.1f s", seconds(settings.maxHoldMs()))
                : String.format(Locale.ROOT, "expired after %.1f s without heartbeat", seconds(ended.ttlMs()));
        String next = ended.kind() == TicketKind.JOB && !ended.failed().contains(ended.ticket())
                ? "its job goes back to the head of the queue"
                : "granting next";
        LOG.warn("lease {} of KB {} held by {} {}; {}", ended.leaseId(), kb, ended.holder(), why, next);
        for (String ticket : ended.failed()) {
            LOG.warn(
                    "job {} of KB {} failed: no outcome after {} attempt(s) ({})",
                    new JobRef(kb, ticket).id(),
                    kb,
                    settings.maxAttempts(),
                    ended.reason() == EndReason.MAX ? ErrorCodes.MAX_HOLD_EXCEEDED : ErrorCodes.LEASE_EXPIRED);
        }
    }

    private static double seconds(long ms) {
        return ms / 1000.0;
    }
}
