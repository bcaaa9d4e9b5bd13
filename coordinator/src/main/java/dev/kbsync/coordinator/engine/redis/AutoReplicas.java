package dev.kbsync.coordinator.engine.redis;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code redis.waitReplicas: auto}: 1 once every master has had a replica connected, else 0. A coordinator that starts
 * while a master's only replica is away (restarting, resyncing) asks again every {@link #PROBE_EVERY_MS} until one is
 * there, so it does not replicate asynchronously until its own next restart; from then on it waits for a replica, as
 * a coordinator started with the replica connected does (a replica that goes away later makes durable steps answer
 * {@code 503 REPLICATION_TIMEOUT} until one is back, as documented for {@code auto} and for an explicit 1).
 */
public final class AutoReplicas implements IntSupplier {
    static final long PROBE_EVERY_MS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(AutoReplicas.class);

    private final Vertx vertx;
    private final Context context;
    private final RedissonClient client;
    private final AtomicInteger wanted;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long timer = -1;
    private volatile boolean stopped;

    private AutoReplicas(Vertx vertx, Context context, RedissonClient client, int wanted) {
        this.vertx = vertx;
        this.context = context;
        this.client = client;
        this.wanted = new AtomicInteger(wanted);
    }

    /** 1 when {@code connected} (the fewest replicas of any master at start) is positive, else 0 while probing. */
    public static AutoReplicas start(Vertx vertx, Context context, RedissonClient client, int connected) {
        AutoReplicas auto = new AutoReplicas(vertx, context, client, Math.min(1, connected));
        if (connected == 0) {
            LOG.info(
                    "redis.waitReplicas auto: no replica connected; asked again every {} s until one is",
                    PROBE_EVERY_MS / 1000);
            context.runOnContext(v -> {
                if (!auto.stopped) {
                    auto.timer = vertx.setPeriodic(PROBE_EVERY_MS, t -> auto.probe());
                }
            });
        }
        return auto;
    }

    @Override
    public int getAsInt() {
        return wanted.get();
    }

    /** Stops asking (at the coordinator's stop). */
    public void stop() {
        stopped = true;
        context.runOnContext(v -> vertx.cancelTimer(timer));
    }

    private void probe() {
        if (stopped || wanted.get() > 0 || !probing.compareAndSet(false, true)) {
            return;
        }
        context.executeBlocking(() -> RedisDeployment.fewestReplicas(client), false)
                .onComplete(ask -> {
                    probing.set(false);
                    if (ask.failed()) { // Redis unreachable: the next period asks again
                        LOG.debug(
                                "could not count the replicas: {}", ask.cause().toString());
                    } else if (ask.result() > 0 && wanted.compareAndSet(0, 1)) {
                        vertx.cancelTimer(timer);
                        LOG.info("redis.waitReplicas auto: every master has a replica connected now; writes that create"
                                + " jobs and grants wait for 1 replica from now on");
                    }
                });
    }
}
