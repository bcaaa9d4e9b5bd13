package dev.kbsync.worker.run;

import dev.kbsync.api.Lease;
import dev.kbsync.worker.client.CoordinatorClient;
import dev.kbsync.worker.client.CoordinatorException;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import io.vertx.core.Vertx;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats a lease every ttl/3 on a Vert.x timer while its job runs, and checks it once more, synchronously, right
 * before the push: a lost lease stops the job; an unreachable coordinator stops it only in fallback mode {@code fail}.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Vertx vertx;
    private final CoordinatorClient client;
    private final ModeTracker modes;
    private final Lease lease;
    private final long timer;
    private volatile boolean lost;

    public LeaseKeeper(Vertx vertx, CoordinatorClient client, ModeTracker modes, Lease lease) {
        this.vertx = vertx;
        this.client = client;
        this.modes = modes;
        this.lease = lease;
        this.timer = vertx.setPeriodic(Math.max(100, lease.ttl().toMillis() / 3), id -> beat());
    }

    /** Throws {@link UnitAbortedException} unless the push may go ahead. Blocks: call it off the event loop. */
    public void checkBeforePush() {
        try {
            client.heartbeat(lease.id())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            modes.reachable();
        } catch (ExecutionException e) {
            handle(e.getCause());
        } catch (TimeoutException e) {
            handle(new CoordinatorException.Unreachable("heartbeat timed out", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnitAbortedException("WORKER_SHUTDOWN", "interrupted before push");
        }
        if (lost) {
            throw new UnitAbortedException(UnitAbortedException.LEASE_LOST, "lease " + lease.id() + " was lost");
        }
    }

    private void handle(Throwable failure) {
        if (failure instanceof CoordinatorException.LeaseLost) {
            lost = true;
        } else if (failure instanceof CoordinatorException.Unreachable) {
            modes.unreachable(failure.getMessage());
            if (modes.fallback() == FallbackMode.FAIL) {
                throw new UnitAbortedException(
                        "COORDINATOR_UNAVAILABLE", "coordinator unreachable and fallback is 'fail'; not pushing");
            }
            log.warn("pushing under the local lock only (degraded); the non-forcing push keeps the remote safe");
        } else {
            throw new IllegalStateException("heartbeat failed: " + failure.getMessage(), failure);
        }
    }

    private void beat() {
        client.heartbeat(lease.id()).onComplete(result -> {
            if (result.succeeded()) {
                modes.reachable();
            } else if (result.cause() instanceof CoordinatorException.LeaseLost) {
                if (!lost) {
                    log.warn(
                            "lease {} lost (fence {}); a push not yet made will not happen",
                            lease.id(),
                            lease.fencingToken());
                }
                lost = true;
            } else if (result.cause() instanceof CoordinatorException.Unreachable) {
                modes.unreachable(result.cause().getMessage());
            } else {
                log.warn(
                        "heartbeat of lease {} failed: {}",
                        lease.id(),
                        result.cause().getMessage());
            }
        });
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
    }
}
