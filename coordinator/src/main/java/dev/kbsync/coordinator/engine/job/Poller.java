package dev.kbsync.coordinator.engine.job;

import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.redisson.api.RQueue;
import org.redisson.client.codec.StringCodec;

/**
 * Long-poll on the global ready list without holding a Redis connection: a non-blocking LPOP, then sleep until a
 * "ready" notification (Redis pub/sub) or a 1 s safety timer, then LPOP again, until the deadline.
 */
public final class Poller {
    private static final long SAFETY_MS = 1000;

    private final Vertx vertx;
    private final Redis redis;
    private final RQueue<String> ready;
    private List<Promise<Void>> sleepers = new ArrayList<>();
    private long generation;

    public Poller(Vertx vertx, Redis redis) {
        this.vertx = vertx;
        this.redis = redis;
        this.ready = redis.client().getQueue(Dispatcher.READY, StringCodec.INSTANCE);
    }

    /** The next ready lease id, or empty at {@code deadlineNanos} (System.nanoTime). */
    public Future<Optional<String>> take(long deadlineNanos) {
        Promise<Long> seen = Promise.promise();
        redis.context().runOnContext(v -> seen.complete(generation));
        return seen.future()
                .compose(gen -> redis.on(ready.pollAsync()).compose(leaseId -> {
                    long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
                    if (leaseId != null || remainingMs <= 0) {
                        return Future.succeededFuture(Optional.ofNullable(leaseId));
                    }
                    return sleep(gen, Math.min(remainingMs, SAFETY_MS)).compose(v -> take(deadlineNanos));
                }));
    }

    /** Wakes every local poller (a job became dispatchable somewhere). Runs on the engine context. */
    public void wake() {
        generation++;
        List<Promise<Void>> woken = sleepers;
        sleepers = new ArrayList<>();
        woken.forEach(Promise::tryComplete);
    }

    private Future<Void> sleep(long gen, long ms) {
        Promise<Void> woken = Promise.promise();
        redis.context().runOnContext(v -> {
            if (gen != generation) {
                woken.tryComplete();
                return;
            }
            sleepers.add(woken);
            long timer = vertx.setTimer(ms, t -> {
                sleepers.remove(woken);
                woken.tryComplete();
            });
            woken.future().onComplete(x -> vertx.cancelTimer(timer));
        });
        return woken.future();
    }
}
