package dev.kbsync.worker.library;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.worker.client.CoordinatorClient;
import dev.kbsync.worker.client.CoordinatorException;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's raw lease API, blocking (call it off the event loop): request, then heartbeat while waiting
 * (which keeps the waiter alive and returns its position) until granted. Empty when the coordinator is unreachable
 * and the fallback is local.
 */
final class RawLeases {
    private static final Logger log = LoggerFactory.getLogger(RawLeases.class);
    private static final long POLL_MS = 250;

    private final CoordinatorClient client;
    private final ModeTracker modes;

    RawLeases(CoordinatorClient client, ModeTracker modes) {
        this.client = client;
        this.modes = modes;
    }

    Optional<Lease> acquire(KbId kb, String holder, Duration timeout, IntConsumer onPosition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            JsonObject lease = await(client.call(
                    HttpMethod.POST, "/v1/kbs/" + kb.value() + "/leases", new JsonObject().put("holder", holder)));
            modes.reachable();
            long reported = -1;
            while (!"granted".equals(lease.getString("state"))) {
                String id = lease.getString("id");
                if (!"waiting".equals(lease.getString("state"))) {
                    throw new IllegalStateException(
                            "lease " + id + " ended while waiting: " + lease.getString("state"));
                }
                long ahead = lease.getLong("ahead", 0L);
                if (ahead != reported) {
                    onPosition.accept((int) ahead);
                    reported = ahead;
                }
                if (System.nanoTime() > deadline) {
                    release(id);
                    throw new IllegalStateException(
                            "KB " + kb + " not granted within " + timeout + " (" + ahead + " ahead)");
                }
                Thread.sleep(POLL_MS);
                lease = await(client.call(HttpMethod.POST, "/v1/leases/" + id + "/heartbeat", new JsonObject()));
            }
            onPosition.accept(0);
            return Optional.of(Lease.fromJson(lease));
        } catch (CoordinatorException.Unreachable e) {
            modes.unreachable(e.getMessage());
            if (modes.fallback() == FallbackMode.FAIL) {
                throw e;
            }
            log.warn(
                    "{} on KB {}: coordinator unreachable, serializing with the local lock only (degraded)",
                    holder,
                    kb);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for KB " + kb, e);
        }
    }

    /** Releases (or cancels) the lease; best effort, a lease left behind expires after its TTL. */
    void release(String leaseId) {
        try {
            await(client.call(HttpMethod.DELETE, "/v1/leases/" + leaseId, null));
        } catch (CoordinatorException e) {
            log.warn("could not release lease {} ({}); it expires after its TTL", leaseId, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonObject await(Future<JsonObject> future) throws InterruptedException {
        try {
            return future.toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CoordinatorException c) {
                throw c;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
