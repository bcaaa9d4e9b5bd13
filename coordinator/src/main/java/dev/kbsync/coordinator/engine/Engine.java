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
import dev.kbsync.coordinator.engine.lease.KeepAlives;
import dev.kbsync.coordinator.engine.lease.RedisLeaseService;
import dev.kbsync.coordinator.engine.redis.AutoReplicas;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.redis.RedisDeployment;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.sweep.Sweeper;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.engine.webhook.RemovedKbHooks;
import dev.kbsync.coordinator.engine.webhook.WebhookDelivery;
import dev.kbsync.coordinator.engine.worker.AgentFleet;
import dev.kbsync.coordinator.engine.worker.RedisWorkerRegistry;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator instance over Redis: leases, jobs, queues and the KB registry, sharing state with every other
 * coordinator on the same Redis. The Redisson client belongs to the caller, who must build it from a config passed
 * through {@link #tune}; stopping the engine leaves every grant in place for the other coordinators.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final long FAIR_LOCK_WAIT_TIMEOUT_MS = 5_000;

    private final Vertx vertx;
    private final Context context;
    private final Events events;
    private final Drivers drivers;
    private final Sweeper sweeper;
    private final AgentFleet agents;
    private final WebhookDelivery webhooks;
    private final RemovedKbHooks removedHooks;
    private final Fanout fanout;
    private final Poller poller;
    private final CoordinatorServices services;
    private final EngineConfig config;
    private final Changes changes;
    private final RedisKbRegistry kbs;
    private final KeepAlives keepAlives;
    private final Optional<AutoReplicas> autoReplicas;
    private long sweepTimer = -1;
    private long presenceTimer = -1;
    private long catchUpTimer = -1;
    private boolean catchingUp;
    /**
     * How often the registry is read for removals made through other coordinators that this one did not hear of (a
     * message lost while the subscription stayed up: a stall of this process, a dropped packet).
     */
    public static final Duration CATCH_UP_EVERY = Duration.ofSeconds(10);

    private Engine(
            Vertx vertx,
            Context context,
            RedissonClient redisson,
            EngineConfig config,
            MetricsSink metrics,
            RedisDeployment deployment) {
        this.vertx = vertx;
        this.context = context;
        this.config = config;
        this.autoReplicas = config.durability().waitReplicas() == EngineConfig.Durability.AUTO
                ? Optional.of(AutoReplicas.start(vertx, context, redisson, deployment.replicas()))
                : Optional.empty();
        Redis redis = new Redis(redisson, context, replication(config, deployment, metrics, autoReplicas));
        DriverSettings settings = DriverSettings.of(config);
        Tickets tickets = new Tickets(redis, settings, deployment.publishCommand());
        this.webhooks = new WebhookDelivery(vertx, tickets, config.webhooks(), metrics, this::touched, this::isRemoved);
        this.removedHooks = new RemovedKbHooks(redis, webhooks::deliverRemoved, config.webhooks());
        this.kbs = new RedisKbRegistry(redis, tickets, removedHooks::removing, this::removed);
        this.events = new Events(redis, config.coordinatorId());
        this.poller = new Poller(vertx, redis, config.jobs().affinityWindow(), events::drained);
        Dispatcher dispatcher = new Dispatcher(redis, events, metrics, poller, tickets);
        this.drivers = new Drivers(redis, tickets, settings, this::granted);
        Watchers watchers = new Watchers();
        this.fanout = new Fanout(vertx.eventBus(), tickets, metrics, watchers);
        this.changes = new Changes(events, fanout, drivers, dispatcher::granted, context, this::touched);
        Grants grants = new Grants(tickets, metrics, changes);
        this.keepAlives = new KeepAlives(vertx, context, tickets);
        RedisWorkerRegistry workers = new RedisWorkerRegistry(redis, config.leaseTtl(), this::agentJoined);
        this.agents = new AgentFleet(workers, config.leaseTtl(), config.sweepInterval());
        this.sweeper = new Sweeper(
                tickets,
                kbs,
                drivers,
                changes,
                metrics,
                settings,
                dispatcher::swept,
                webhooks::deliver,
                agents,
                config.webhooks().retry().plus(Duration.ofHours(1))); // a removed KB's webhook retries touch it
        this.services = new CoordinatorServices(
                new RedisLeaseService(vertx, config, tickets, kbs, changes, grants, keepAlives),
                new RedisJobService(
                        config,
                        Clock.systemUTC(),
                        tickets,
                        kbs,
                        new Assigner(poller, dispatcher, tickets, kbs, changes, context),
                        changes,
                        metrics,
                        redis,
                        deployment.cluster()),
                new RedisQueueService(tickets, kbs, watchers),
                kbs,
                workers);
    }

    /**
     * Checks the deployment (off the event loop), subscribes to the other coordinators' changes and starts the
     * periodic sweep. Fails when a Redis master may evict keys ({@code maxmemory-policy} other than
     * {@code noeviction}) unless {@link EngineConfig.Durability#allowEviction()}.
     */
    public static Future<Engine> start(Vertx vertx, RedissonClient redisson, EngineConfig config, MetricsSink metrics) {
        Context context = vertx.getOrCreateContext();
        return context.executeBlocking(() -> RedisDeployment.inspect(redisson))
                .compose(deployment -> checked(deployment, config))
                .compose(deployment -> {
                    Engine engine = new Engine(vertx, context, redisson, config, metrics, deployment);
                    engine.events.whenRemoved(engine::onRemoved);
                    engine.events.whenDrained(engine.poller::endHeard);
                    engine.events.whenAgentJoined(engine.agents::joined);
                    return engine.events
                            .subscribe(
                                    engine::onQueueChanged,
                                    engine::onEnded,
                                    engine.poller::wake,
                                    engine::onResubscribed,
                                    engine.changes::onDoing)
                            .map(v -> {
                                context.runOnContext(x -> engine.sweepTimer =
                                        vertx.setPeriodic(config.sweepInterval().toMillis(), t -> engine.sweep()));
                                context.runOnContext(x -> engine.presenceTimer =
                                        vertx.setPeriodic(Events.PRESENCE_EVERY_MS, t -> engine.events.beat()));
                                context.runOnContext(x -> engine.catchUpTimer =
                                        vertx.setPeriodic(CATCH_UP_EVERY.toMillis(), t -> engine.catchUp()));
                                return engine;
                            })
                            // a start that failed leaves nothing running: the replica probe's timer ends with it
                            .onFailure(e -> engine.autoReplicas.ifPresent(AutoReplicas::stop));
                });
    }

    private static Future<RedisDeployment> checked(RedisDeployment deployment, EngineConfig config) {
        List<String> evicting = deployment.evicting();
        if (evicting.isEmpty()) {
            return Future.succeededFuture(deployment);
        }
        String what = "Redis " + String.join(", ", evicting) + " may evict keys, among them a KB's :lease and :fence"
                + " keys, which would break mutual exclusion and fencing";
        if (config.durability().allowEviction()) {
            LOG.warn("{}; starting anyway because eviction is explicitly allowed (redis.allowEviction)", what);
            return Future.succeededFuture(deployment);
        }
        return Future.failedFuture(
                new EvictingRedisException(what + ". Set maxmemory-policy " + RedisDeployment.SAFE_POLICY
                        + " on every master (CONFIG SET maxmemory-policy noeviction, and in redis.conf), or set"
                        + " redis.allowEviction=true (KBSYNC_REDIS_ALLOW_EVICTION) to start anyway."));
    }

    /**
     * Replica acknowledgement of durable writes: AUTO is 1 once the deployment has replicas (asked again while it has
     * none: {@link AutoReplicas}), else 0.
     */
    private static Redis.Replication replication(
            EngineConfig config, RedisDeployment deployment, MetricsSink metrics, Optional<AutoReplicas> auto) {
        EngineConfig.Durability durability = config.durability();
        int replicas = auto.map(AutoReplicas::getAsInt).orElse(durability.waitReplicas());
        if (replicas > deployment.replicas()) {
            LOG.warn(
                    "redis.waitReplicas is {} but Redis reports {} replica(s): writes that create jobs and grants will"
                            + " answer 503 REPLICATION_TIMEOUT until enough replicas are connected",
                    replicas,
                    deployment.replicas());
        }
        LOG.info(
                "writes that create jobs and grants wait for {} replica(s) (timeout {} ms); {} replica(s) connected",
                replicas,
                durability.waitTimeout().toMillis(),
                deployment.replicas());
        IntSupplier wanted = auto.<IntSupplier>map(a -> a).orElse(() -> replicas);
        return new Redis.Replication(wanted, durability.waitTimeout(), metrics::replicationShortfall);
    }

    /**
     * Sets what the engine needs on the caller's Redisson config: the lock watchdog (a dead coordinator's locks lapse
     * after it), a short fair-lock wait timeout (a dead Redisson waiter stops blocking its KB within seconds), and,
     * with replicas (Sentinel, Cluster, master and replicas, replicated), reads from masters only: Redisson reads
     * replicas by default (read-only scripts and plain reads alike), and a lagging replica would answer 404 for a job
     * just accepted, hand the drivers a stale queue head and clients positions that go back up. On a Cluster, no check
     * that every slot is served at start: a shard without a master stops only its own KBs, not a coordinator's start
     * (which Redisson refuses with "Not all slots covered!", taken for Redis unreachable). Redisson's object
     * references are off: kbsync never stores a Redisson object as a value, and the check costs every argument of every
     * script call a class lookup.
     */
    public static Config tune(Config redisson, EngineConfig config) {
        ServersOf servers = new ServersOf(redisson);
        if (redisson.isSentinelConfig()) {
            redisson.useSentinelServers().setReadMode(ReadMode.MASTER);
        } else if (redisson.isClusterConfig()) {
            redisson.useClusterServers().setReadMode(ReadMode.MASTER).setCheckSlotsCoverage(false);
        } else if (servers.masterAndReplicas()) {
            redisson.useMasterSlaveServers().setReadMode(ReadMode.MASTER);
        } else if (servers.replicated()) {
            redisson.useReplicatedServers().setReadMode(ReadMode.MASTER);
        }
        redisson.setReferenceEnabled(false);
        return redisson.setLockWatchdogTimeout(config.lockWatchdog().toMillis())
                .setFairLockWaitTimeout(FAIR_LOCK_WAIT_TIMEOUT_MS);
    }

    /** Which servers a Redisson config names, where Redisson only tells single, Sentinel and Cluster (from a copy). */
    private static final class ServersOf extends Config {
        ServersOf(Config config) {
            super(config);
        }

        boolean masterAndReplicas() {
            return getMasterSlaveServersConfig() != null;
        }

        boolean replicated() {
            return getReplicatedServersConfig() != null;
        }
    }

    public CoordinatorServices services() {
        return services;
    }

    /** The KBs this coordinator keeps a driver for (tests). */
    Set<KbId> drivenKbs() {
        return drivers.known();
    }

    /** Stops timers and listeners and hands the KBs this coordinator drives to the others; grants stay. */
    public Future<Void> stop() {
        Promise<Void> swept = Promise.promise();
        context.runOnContext(v -> {
            vertx.cancelTimer(sweepTimer);
            vertx.cancelTimer(presenceTimer);
            vertx.cancelTimer(catchUpTimer);
            autoReplicas.ifPresent(AutoReplicas::stop);
            keepAlives.stop();
            sweeper.stop().onComplete(swept);
        });
        return swept.future()
                .compose(v -> Future.join(events.close(), drivers.stop(), webhooks.close()))
                .mapEmpty();
    }

    @Override
    public String toString() {
        return "Engine[" + config.coordinatorId() + "]";
    }

    private void granted(KbId kb, Granted grant) {
        changes.granted(kb, grant);
    }

    /**
     * A worker's presence stored here made it run agents: this coordinator's sweep and, through the events, the others'
     * no longer act on a read of the fleet from before it.
     */
    private void agentJoined() {
        agents.joined();
        events.agentJoined();
    }

    /** A KB was removed here: the other coordinators are told, this one forgets it. */
    private void removed(KbId kb) {
        events.removed(kb);
        context.runOnContext(v -> forgotten(kb));
    }

    /**
     * The subscription came back after it was lost: the streams here catch up with what other coordinators published
     * meanwhile, and the KBs removed through them meanwhile are forgotten here (a lease on one is refused KB_NOT_FOUND,
     * as on every other coordinator) before the registry's listeners read their own lists again.
     */
    private void onResubscribed() {
        fanout.refreshWatched();
        kbs.unheardRemovals().onComplete(read -> {
            if (read.succeeded()) {
                read.result().forEach(this::onRemoved);
                if (!read.result().isEmpty()) {
                    LOG.info(
                            "KB(s) {} were removed while this coordinator's subscription was down: forgotten",
                            read.result());
                }
            } else {
                LOG.warn(
                        "the registered KBs could not be read after the subscription came back ({})",
                        read.cause().toString());
            }
            kbs.removalsUnheard();
        });
    }

    /**
     * Every {@link #CATCH_UP_EVERY}: the KBs used here that the registry no longer lists were removed through another
     * coordinator whose message this one never got; they are forgotten as if it had (a lease or read refused
     * KB_NOT_FOUND, their streams told, degraded mode refusing their notes). One read of the registry's ids at a time; a
     * failed one is left to the next.
     */
    private void catchUp() {
        if (catchingUp) {
            return;
        }
        catchingUp = true;
        kbs.unheardRemovals().onComplete(read -> {
            catchingUp = false;
            if (read.succeeded() && !read.result().isEmpty()) {
                LOG.info(
                        "KB(s) {} were removed through another coordinator without this one hearing of it: forgotten",
                        read.result());
                read.result().forEach(this::onRemoved);
            }
        });
    }

    /** Another coordinator removed a KB. */
    private void onRemoved(KbId kb) {
        kbs.forget(kb);
        forgotten(kb);
    }

    /**
     * A removed KB leaves the sweep and its driver is dropped; its finished jobs' due webhooks are still delivered
     * ({@link RemovedKbHooks}).
     */
    private void forgotten(KbId kb) {
        sweeper.forget(kb);
        drivers.forget(kb);
        fanout.removed(kb);
        removedHooks.removed(kb);
    }

    private void sweep() {
        sweeper.tick();
        removedHooks.tick();
    }

    /** Whether {@code kb} was removed (here or elsewhere) and not registered again since, as far as the sweep knows. */
    private boolean isRemoved(KbId kb) {
        return sweeper.removed(kb);
    }

    /** A KB's queue changed (here or elsewhere): the sweep looks at it again. */
    private void touched(KbId kb) {
        sweeper.touch(kb);
    }

    /** Another coordinator ended a job ({@code job}) or a raw lease: the final event for the streams here. */
    private void onEnded(boolean job, String id) {
        int tilde = id.indexOf('~');
        if (tilde > 0) {
            changes.onEnded(KbId.of(id.substring(0, tilde)), job, id);
        }
    }

    /** A change made elsewhere (changes made here already refreshed the local streams and ran the driver). */
    private void onQueueChanged(KbId kb, boolean elsewhere) {
        touched(kb);
        if (elsewhere) {
            fanout.refresh(kb);
            drivers.pumpIfKnown(kb);
        }
    }
}
