package dev.kbsync.coordinator;

import dev.kbsync.api.KbConfig;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.error.UnconfirmedWrite;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.service.CoordinatorServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator's way into Redis: the Redisson client, the engine over it and the configured KBs registered, all in
 * one {@link #connect attempt} (a failed one leaves nothing behind). A coordinator
 * started in degraded mode {@link #keepTrying keeps trying} in the background until one succeeds. Thread-safe.
 */
final class RedisLink {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
    /** The pause between two attempts while Redis does not answer. */
    static final Duration RETRY_EVERY = Duration.ofSeconds(1);

    private static final int LOG_EVERY_ATTEMPTS = 30;
    /** The longest {@link #stop} waits for an attempt under way (a Redis that accepts connections but hangs). */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** A started engine over its client, and the health probe over that client ({@link RedisClients#probe}). */
    record Connected(RedissonClient redisson, ServicesFactory.Running running, Supplier<Future<Void>> probe) {
        CoordinatorServices services() {
            return running.services();
        }
    }

    private final Vertx vertx;
    private final CoordinatorConfig config;
    private final ServicesFactory factory;
    private final PrometheusMetrics metrics;
    private final StopSteps stopping = new StopSteps();
    private volatile Connected connected;
    private Future<Connected> attempt; // guarded by this
    private boolean stopped; // guarded by this
    private long timer = -1; // guarded by this
    private int failures; // guarded by this

    RedisLink(Vertx vertx, CoordinatorConfig config, ServicesFactory factory, PrometheusMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.factory = factory;
        this.metrics = metrics;
    }

    /**
     * One attempt: the client, the engine and the configured KBs registered; on failure
     * whatever it started is stopped again. At most one attempt runs at a time.
     */
    synchronized Future<Connected> connect() {
        if (stopped) {
            return Future.failedFuture(new IllegalStateException("stopped"));
        }
        attempt = RedisClients.create(vertx, config, factory)
                .compose(redisson -> factory.start(vertx, redisson, config.engine(), metrics)
                        .compose(running -> registered(running.services())
                                .map(v -> new Connected(redisson, running, RedisClients.probe(vertx, redisson)))
                                .onFailure(e -> running.stop().get()))
                        .onFailure(e -> RedisClients.shutdown(vertx, redisson)))
                .compose(this::connected);
        return attempt;
    }

    /**
     * Waits for {@code current} (an attempt under way), then attempts every {@link #RETRY_EVERY} until one succeeds
     * (or {@link #stop}); {@code then} hears the success.
     */
    void keepTrying(Future<Connected> current, Consumer<Connected> then) {
        current.onComplete(r -> {
            synchronized (this) {
                if (r.succeeded()) {
                    LOG.info(
                            "Redis answers (after {} failed attempt(s)): the coordinator finished starting, engine"
                                    + " started and {} configured KB(s) registered",
                            failures,
                            config.kbs().size());
                } else if (stopped) {
                    return;
                } else {
                    failures++;
                    if (failures == 1 || failures % LOG_EVERY_ATTEMPTS == 0) {
                        LOG.warn(
                                "Redis does not answer ({}): degraded mode until it does; attempt {} failed, next in {}"
                                        + " ms",
                                r.cause().toString(),
                                failures,
                                RETRY_EVERY.toMillis());
                    }
                    timer = vertx.setTimer(RETRY_EVERY.toMillis(), t -> keepTrying(connect(), then));
                    return;
                }
            }
            then.accept(r.result());
        });
    }

    /**
     * Whether a failed attempt means Redis did not answer (refused, timed out, went away), as opposed to a refusal
     * with a reason (e.g. a Redis that may evict keys), which fails a coordinator's start.
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RedisException
                    || t instanceof ConnectException
                    || t instanceof TimeoutException
                    || RedisHealth.isUnavailable(t)) {
                return true;
            }
        }
        return false;
    }

    /** The engine's services once connected. */
    Connected connected() {
        return connected;
    }

    /** A round trip to Redis; fails while not connected. */
    Future<Void> ping() {
        Connected now = connected;
        return now == null
                ? Future.failedFuture(new IllegalStateException("not connected to Redis yet"))
                : now.probe().get();
    }

    /**
     * Stops trying; once an attempt under way ended (waited for up to {@link #STOP_WAIT}: one that ends later stops
     * what it started itself), stops the engine and shuts the client down.
     */
    Future<Void> stop() {
        Future<Connected> under;
        synchronized (this) {
            stopped = true;
            vertx.cancelTimer(timer);
            under = attempt;
        }
        Promise<Void> ended = Promise.promise();
        if (under == null) {
            ended.complete();
        } else {
            long wait = vertx.setTimer(STOP_WAIT.toMillis(), t -> ended.tryComplete());
            under.onComplete(r -> {
                vertx.cancelTimer(wait);
                ended.tryComplete();
            });
        }
        return stopping.run("the connection attempt to Redis under way", ended::future)
                .compose(v -> {
                    Connected now = connected;
                    connected = null;
                    return now == null ? Future.succeededFuture() : release(now);
                });
    }

    /** The steps of {@link #stop} begun and not finished. */
    List<String> stopUnderWay() {
        return stopping.underWay();
    }

    private Future<Void> registered(CoordinatorServices services) {
        return Future.all(config.kbs().stream()
                        .map(kb -> services.kbs().register(kb).recover(e -> unconfirmed(kb, e)))
                        .toList())
                .mapEmpty();
    }

    /**
     * A configured KB written on the master but confirmed by too few replicas in time (a registration is a durable
     * write) does not fail the start: the coordinator starts as it does with too few replicas, its writes answering 503
     * REPLICATION_TIMEOUT until they are back, and every start registers the KB again.
     */
    private static Future<KbConfig> unconfirmed(KbConfig kb, Throwable failure) {
        if (!(failure instanceof UnconfirmedWrite)) {
            return Future.failedFuture(failure);
        }
        LOG.warn(
                "configured KB {} registered on the master but not confirmed by a replica in time ({}): starting"
                        + " anyway; every start registers it again",
                kb.id(),
                failure.getMessage());
        return Future.succeededFuture(kb);
    }

    private Future<Connected> connected(Connected made) {
        synchronized (this) {
            if (!stopped) {
                connected = made;
                return Future.succeededFuture(made);
            }
        }
        return release(made).compose(v -> Future.failedFuture(new IllegalStateException("stopped")));
    }

    private Future<Void> release(Connected made) {
        return stopping.run(
                        "the engine's stop (its last Redis calls)",
                        made.running().stop())
                .eventually(() -> stopping.run(
                        "the Redis client's shutdown", () -> RedisClients.shutdown(vertx, made.redisson())));
    }
}
