package dev.kbsync.worker.library;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's raw lease API, blocking (call it off the event loop): request, then follow the lease's event stream
 * (which keeps the waiter alive and reports its position) until granted. Empty when no coordinator can be reached and
 * the fallback is local. With several coordinators the client's failover rules apply: a request cut after it went out
 * is sent again once the client moved to another coordinator (at most once per coordinator), and a cut event stream is
 * followed again (on the coordinator the client is on by then; at most twice per coordinator). A lease that is not
 * handed out (the wait failed, timed out or was interrupted, or the bot's position callback threw) is released, best
 * effort.
 */
final class RawLeases {
    private static final Logger log = LoggerFactory.getLogger(RawLeases.class);

    private final KbsyncClient client;
    private final ModeTracker modes;
    private final int coordinators;

    RawLeases(KbsyncClient client, ModeTracker modes, int coordinators) {
        this.client = client;
        this.modes = modes;
        this.coordinators = Math.max(1, coordinators);
    }

    Optional<Lease> acquire(KbId kb, String holder, Duration timeout, IntConsumer onPosition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Lease lease;
        try {
            lease = request(kb, holder);
        } catch (KbsyncException.Unavailable e) {
            return degraded(kb, holder, e);
        }
        try {
            if (lease.state() != LeaseState.GRANTED) {
                lease = awaitGrant(kb, lease, deadline, timeout, onPosition);
            }
            onPosition.accept(0);
            return Optional.of(lease);
        } catch (KbsyncException.Unavailable e) {
            release(lease.id());
            return degraded(kb, holder, e);
        } catch (KbsyncException.Interrupted e) { // the thread's interrupt flag is set again
            release(lease.id());
            throw e;
        } catch (KbsyncException.LeaseLost e) { // ended while waiting (cancelled or expired): nothing to release
            throw e;
        } catch (RuntimeException e) {
            release(lease.id());
            throw e;
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

    /**
     * Requests the lease; a request that got no usable answer is sent again while the client moved to another
     * coordinator meanwhile (one it did not try yet for this request).
     */
    private Lease request(KbId kb, String holder) {
        for (int tried = 1; ; tried++) {
            URI at = client.coordinator();
            try {
                Lease lease = client.requestLease(kb, LeaseRequest.of(holder));
                modes.reachable();
                return lease;
            } catch (KbsyncException.Unavailable e) {
                if (tried >= coordinators || at.equals(client.coordinator())) {
                    throw e;
                }
                log.info(
                        "{} on KB {}: lease request cut ({}); requesting it from coordinator {} now",
                        holder,
                        kb,
                        e.getMessage(),
                        client.coordinator());
            }
        }
    }

    /**
     * Waits for the grant; a cut event stream is followed again (on the coordinator the client is on by then: it moves
     * on once one cannot be reached), at most twice per coordinator, within the deadline.
     */
    private Lease awaitGrant(KbId kb, Lease waiting, long deadline, Duration timeout, IntConsumer onPosition) {
        AtomicLong ahead = new AtomicLong(waiting.ahead());
        onPosition.accept((int) waiting.ahead());
        for (int followed = 1; ; followed++) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            KbsyncException.Unavailable cut;
            try {
                return client.awaitGrant(waiting.id(), left, now -> {
                    if (ahead.getAndSet(now) != now) {
                        onPosition.accept((int) now);
                    }
                });
            } catch (KbsyncException.TimedOut e) {
                if (deadline - System.nanoTime() <= 0) {
                    throw KbBusyException.queued(kb.value(), timeout, ahead.get(), e);
                }
                cut = e; // the stream could not be opened in time: as unavailable
            } catch (KbsyncException.Unavailable e) {
                cut = e; // broken, or ended without the lease's final state (a coordinator that stops)
            }
            if (followed > 2 * coordinators) { // the first try after a cut may still reach the one that stopped
                throw cut;
            }
            log.info(
                    "event stream of lease {} on KB {} cut ({}); following it on coordinator {} now",
                    waiting.id(),
                    kb,
                    cut.getMessage(),
                    client.coordinator());
        }
    }

    private Optional<Lease> degraded(KbId kb, String holder, KbsyncException.Unavailable e) {
        modes.unreachable(e.getMessage());
        if (modes.fallback() == FallbackMode.FAIL) {
            throw e;
        }
        log.warn("{} on KB {}: coordinator unreachable, serializing with the local lock only (degraded)", holder, kb);
        return Optional.empty();
    }
}
