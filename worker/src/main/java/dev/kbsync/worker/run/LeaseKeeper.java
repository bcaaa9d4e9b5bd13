package dev.kbsync.worker.run;

import dev.kbsync.api.Lease;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats a lease every ttl/3 (a Vert.x timer, the call on a worker thread) while its job runs, and checks it once
 * more, synchronously, right before the push: a lost lease stops the job; an unreachable coordinator stops it only in
 * fallback mode {@code fail}. Each heartbeat is retried while the coordinator is unavailable.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Vertx vertx;
    private final KbsyncClient client;
    private final RetryPolicy retry = RetryPolicy.defaults();
    private final ModeTracker modes;
    private final Lease lease;
    private final long timer;
    private volatile boolean lost;

    public LeaseKeeper(Vertx vertx, KbsyncClient client, ModeTracker modes, Lease lease) {
        this.vertx = vertx;
        this.client = client;
        this.modes = modes;
        this.lease = lease;
        this.timer = vertx.setPeriodic(Math.max(100, lease.ttl().toMillis() / 3), id -> beat());
    }

    /** Throws {@link UnitAbortedException} unless the push may go ahead. Blocks: call it off the event loop. */
    public void checkBeforePush() {
        try {
            heartbeat();
            modes.reachable();
        } catch (KbsyncException.Interrupted e) {
            throw new UnitAbortedException("WORKER_SHUTDOWN", "interrupted before push");
        } catch (KbsyncException e) {
            handle(e);
        }
        if (lost) {
            throw new UnitAbortedException(UnitAbortedException.LEASE_LOST, "lease " + lease.id() + " was lost");
        }
    }

    private void handle(KbsyncException failure) {
        if (failure instanceof KbsyncException.LeaseLost) {
            lost = true;
        } else if (failure instanceof KbsyncException.Unavailable) {
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

    private Lease heartbeat() {
        return retry.call(() -> client.heartbeat(lease.id()));
    }

    private void beat() {
        vertx.executeBlocking(this::heartbeat, false).onComplete(result -> {
            if (result.succeeded()) {
                modes.reachable();
            } else if (result.cause() instanceof KbsyncException.LeaseLost) {
                if (!lost) {
                    log.warn(
                            "lease {} lost (fence {}); a push not yet made will not happen",
                            lease.id(),
                            lease.fencingToken());
                }
                lost = true;
            } else if (result.cause() instanceof KbsyncException.Unavailable) {
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
