package dev.kbsync.worker.library;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's raw lease API, blocking (call it off the event loop): request, then follow the lease's event stream
 * (which keeps the waiter alive and reports its position) until granted. Empty when the coordinator is unreachable and
 * the fallback is local.
 */
final class RawLeases {
    private static final Logger log = LoggerFactory.getLogger(RawLeases.class);

    private final KbsyncClient client;
    private final ModeTracker modes;

    RawLeases(KbsyncClient client, ModeTracker modes) {
        this.client = client;
        this.modes = modes;
    }

    Optional<Lease> acquire(KbId kb, String holder, Duration timeout, IntConsumer onPosition) {
        try {
            Lease lease = client.requestLease(kb, LeaseRequest.of(holder));
            modes.reachable();
            if (lease.state() != LeaseState.GRANTED) {
                lease = awaitGrant(kb, lease, timeout, onPosition);
            }
            onPosition.accept(0);
            return Optional.of(lease);
        } catch (KbsyncException.Unavailable e) {
            modes.unreachable(e.getMessage());
            if (modes.fallback() == FallbackMode.FAIL) {
                throw e;
            }
            log.warn(
                    "{} on KB {}: coordinator unreachable, serializing with the local lock only (degraded)",
                    holder,
                    kb);
            return Optional.empty();
        } catch (KbsyncException.Interrupted e) {
            throw new IllegalStateException("interrupted while waiting for KB " + kb, e);
        }
    }

    /** Releases (or cancels) the lease; best effort, a lease left behind expires after its TTL. */
    void release(String leaseId) {
        try {
            client.release(leaseId);
        } catch (KbsyncException e) {
            log.warn("could not release lease {} ({}); it expires after its TTL", leaseId, e.getMessage());
        }
    }

    private Lease awaitGrant(KbId kb, Lease waiting, Duration timeout, IntConsumer onPosition) {
        AtomicLong ahead = new AtomicLong(waiting.ahead());
        onPosition.accept((int) waiting.ahead());
        try {
            return client.awaitGrant(waiting.id(), timeout, now -> {
                if (ahead.getAndSet(now) != now) {
                    onPosition.accept((int) now);
                }
            });
        } catch (KbsyncException.TimedOut e) {
            release(waiting.id());
            throw new IllegalStateException("KB " + kb + " not granted within " + timeout + " (" + ahead + " ahead)");
        } catch (KbsyncException.LeaseLost e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
