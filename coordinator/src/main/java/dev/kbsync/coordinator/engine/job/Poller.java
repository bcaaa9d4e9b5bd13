package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.redisson.api.RScoredSortedSet;
import org.redisson.client.codec.StringCodec;

/**
 * Long-poll on the global ready set without holding a Redis connection: a non-blocking ZPOPMIN (the KB that became
 * ready first), then sleep until a "ready" notification (Redis pub/sub) or a 1 s safety timer, then again, until the
 * deadline.
 */
public final class Poller {
    private static final long SAFETY_MS = 1000;

    private final Vertx vertx;
    private final Redis redis;
    private final RScoredSortedSet<String> ready;
    private List<Promise<Void>> sleepers = new ArrayList<>();
    private long generation;

    public Poller(Vertx vertx, Redis redis) {
        this.vertx = vertx;
        this.redis = redis;
        this.ready = redis.client().getScoredSortedSet(Dispatcher.READY, StringCodec.INSTANCE);
    }

    /** The next KB with a granted job, or empty at {@code deadlineNanos} (System.nanoTime). */
    public Future<Optional<KbId>> take(long deadlineNanos) {
        Promise<Long> seen = Promise.promise();
        redis.context().runOnContext(v -> seen.complete(generation));
        return seen.future()
                .compose(gen -> redis.on(ready.pollFirstAsync()).compose(kb -> {
                    long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
                    if (kb != null || remainingMs <= 0) {
                        return Future.succeededFuture(Optional.ofNullable(kb).map(KbId::of));
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
