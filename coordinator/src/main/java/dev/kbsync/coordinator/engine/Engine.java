package dev.kbsync.coordinator.engine;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.driver.Drivers;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.coordinator.engine.event.Fanout;
import dev.kbsync.coordinator.engine.event.RedisQueueService;
import dev.kbsync.coordinator.engine.job.Assigner;
import dev.kbsync.coordinator.engine.job.Dispatcher;
import dev.kbsync.coordinator.engine.job.Poller;
import dev.kbsync.coordinator.engine.job.RedisJobService;
import dev.kbsync.coordinator.engine.lease.Grants;
import dev.kbsync.coordinator.engine.lease.RedisLeaseService;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.store.Idempotency;
import dev.kbsync.coordinator.engine.store.JobStore;
import dev.kbsync.coordinator.engine.store.RecentJobStore;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.sweep.Sweeper;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.engine.worker.RedisWorkerRegistry;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/**
 * One coordinator instance over Redis: leases, jobs, queues and the KB registry, sharing state with every other
 * coordinator on the same Redis. The Redisson client belongs to the caller, who must build it from a config passed
 * through {@link #tune}; stopping the engine leaves every grant in place for the other coordinators.
 */
public final class Engine {
    private static final long FAIR_LOCK_WAIT_TIMEOUT_MS = 5_000;

    private final Vertx vertx;
    private final Context context;
    private final Events events;
    private final Drivers drivers;
    private final Sweeper sweeper;
    private final Fanout fanout;
    private final Poller poller;
    private final CoordinatorServices services;
    private final EngineConfig config;
    private final Changes changes;
    private long sweepTimer = -1;
    private long presenceTimer = -1;

    private Engine(Vertx vertx, RedissonClient redisson, EngineConfig config, MetricsSink metrics, Clock clock) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.config = config;
        Redis redis = new Redis(redisson, context);
        DriverSettings settings = DriverSettings.of(config);
        Tickets tickets = new Tickets(redis, settings);
        JobStore store = new JobStore(redis);
        RecentJobStore recent = new RecentJobStore(redis);
        RedisKbRegistry kbs = new RedisKbRegistry(redis);
        this.events = new Events(redis, config.coordinatorId());
        Dispatcher dispatcher = new Dispatcher(redis, tickets, store, events, metrics, this::released);
        this.drivers = new Drivers(redis, tickets, settings, this::granted);
        Watchers watchers = new Watchers();
        this.fanout = new Fanout(vertx.eventBus(), tickets, store, metrics, watchers);
        this.changes = new Changes(events, fanout, drivers, dispatcher::granted, context);
        Grants grants = new Grants(tickets, store, metrics, changes);
        this.poller = new Poller(vertx, redis);
        this.sweeper = new Sweeper(tickets, kbs, drivers, grants, changes, metrics, settings);
        this.services = new CoordinatorServices(
                new RedisLeaseService(vertx, config, tickets, kbs, changes, grants),
                new RedisJobService(
                        config,
                        clock,
                        tickets,
                        store,
                        new Idempotency(redis),
                        kbs,
                        new Assigner(
                                poller,
                                tickets,
                                store,
                                kbs,
                                changes,
                                config.leaseTtl().toMillis()),
                        changes,
                        metrics,
                        recent),
                new RedisQueueService(tickets, kbs, watchers, recent),
                kbs,
                new RedisWorkerRegistry(redis, config.leaseTtl()));
    }

    /** Subscribes to the other coordinators' changes and starts the periodic sweep. */
    public static Future<Engine> start(Vertx vertx, RedissonClient redisson, EngineConfig config, MetricsSink metrics) {
        Engine engine = new Engine(vertx, redisson, config, metrics, Clock.systemUTC());
        return engine.events
                .subscribe(engine::onQueueChanged, engine.poller::wake)
                .map(v -> {
                    engine.context.runOnContext(x -> engine.sweepTimer =
                            engine.vertx.setPeriodic(config.sweepInterval().toMillis(), t -> engine.sweeper.tick()));
                    engine.context.runOnContext(x -> engine.presenceTimer =
                            engine.vertx.setPeriodic(Events.PRESENCE_EVERY_MS, t -> engine.events.beat()));
                    return engine;
                });
    }

    /**
     * Sets what the engine needs on the caller's Redisson config: the lock watchdog (a dead coordinator's locks lapse
     * after it), a short fair-lock wait timeout (a dead Redisson waiter stops blocking its KB within seconds), and,
     * with replicas (Sentinel, Cluster), reads from masters only: Redisson reads replicas by default, and a lagging
     * replica would hand the drivers a stale queue head and clients positions that go back up.
     */
    public static Config tune(Config redisson, EngineConfig config) {
        if (redisson.isSentinelConfig()) {
            redisson.useSentinelServers().setReadMode(ReadMode.MASTER);
        } else if (redisson.isClusterConfig()) {
            redisson.useClusterServers().setReadMode(ReadMode.MASTER);
        }
        return redisson.setLockWatchdogTimeout(config.lockWatchdog().toMillis())
                .setFairLockWaitTimeout(FAIR_LOCK_WAIT_TIMEOUT_MS);
    }

    public CoordinatorServices services() {
        return services;
    }

    /** Stops timers and listeners and hands the KBs this coordinator drives to the others; grants stay. */
    public Future<Void> stop() {
        Promise<Void> swept = Promise.promise();
        context.runOnContext(v -> {
            vertx.cancelTimer(sweepTimer);
            vertx.cancelTimer(presenceTimer);
            sweeper.stop().onComplete(swept);
        });
        return swept.future()
                .compose(v -> Future.join(events.close(), drivers.stop()))
                .mapEmpty();
    }

    @Override
    public String toString() {
        return "Engine[" + config.coordinatorId() + "]";
    }

    private void granted(KbId kb, Granted grant) {
        changes.granted(kb, grant);
    }

    private void released(KbId kb, ReleaseResult result) {
        changes.released(kb, result);
    }

    /** A change made elsewhere (changes made here already refreshed the local streams and ran the driver). */
    private void onQueueChanged(KbId kb, boolean elsewhere) {
        if (elsewhere) {
            fanout.refresh(kb);
            drivers.pumpIfKnown(kb);
        }
    }
}
