package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * The raw lease API: FIFO per KB, one holder per KB at a time. A waiting request must be kept alive (heartbeat or an
 * open event stream) or it leaves the queue within seconds; a granted lease not renewed within its TTL expires and
 * the next waiter is granted. Futures fail with {@code NotFoundException} / {@code ConflictException} (LEASE_LOST).
 */
public interface LeaseService {
    /**
     * Joins the KB's queue at the tail; the returned lease is WAITING (with {@code ahead}) or already GRANTED. Asked for
     * by no token in particular: any client token in the KB's scope may end it (engine tests).
     */
    default Future<Lease> request(KbId kb, String holder, Duration ttl) {
        return request(kb, holder, ttl, "");
    }

    /**
     * {@link #request(KbId, String, Duration)} asked for by the token named {@code requester}: the lease is that
     * token's, as a job is its submitter's ({@link #requester}).
     */
    Future<Lease> request(KbId kb, String holder, Duration ttl, String requester);

    Future<Lease> get(String leaseId);

    /**
     * The name of the token that asked for the raw lease {@code leaseId}, '' when no token in particular did (fails with
     * LEASE_NOT_FOUND as {@link #get} does); '' for a job's grant (its worker's), without a read.
     */
    Future<String> requester(String leaseId);

    /** Keeps a waiter alive or pushes a grant's expiry out by its TTL (bounded by the hard maximum hold). */
    default Future<Lease> heartbeat(String leaseId) {
        return heartbeat(leaseId, Optional.empty());
    }

    /**
     * {@link #heartbeat(String)}; a grant also keeps {@code doing}, what its holder says it is doing now (checked by the
     * caller: {@code dev.kbsync.api.Activity}), in the same step, until a later heartbeat says otherwise: a job that
     * fails because its grants overran or lapsed names what the last one was doing. Empty: what was said stands.
     */
    default Future<Lease> heartbeat(String leaseId, Optional<String> doing) {
        return heartbeat(leaseId, doing, "");
    }

    /**
     * {@link #heartbeat(String, Optional)} by the token named {@code requester}, to which a raw lease must belong (the
     * token that asked for it, or none did): another's fails with NOT_REQUESTER and is left as it was, checked in the
     * same step. '': any token may (an admin, a worker).
     */
    Future<Lease> heartbeat(String leaseId, Optional<String> doing, String requester);

    /**
     * Keeps the lease alive as {@link #heartbeat} does, once a second, until the returned handle is closed: what an
     * open event stream does. The leases kept alive on one coordinator cost one Redis step a second per KB, not one per
     * lease. A lease that ends or is lost is simply no longer kept. A job's lease is not kept alive this way (its
     * worker's heartbeats alone keep it): the handle does nothing.
     */
    default KeepAlive keepAlive(String leaseId) {
        return keepAlive(leaseId, () -> {});
    }

    /**
     * {@link #keepAlive(String)}, and {@code onLost} runs once (on the engine's context) when a beat finds the lease
     * ended or lost (released or force-released elsewhere, expired, superseded) while the handle is open: its holder
     * can let it go instead of keeping a dead lease until it closes.
     */
    KeepAlive keepAlive(String leaseId, Runnable onLost);

    /** Releases a grant or cancels a waiting request; releasing twice is harmless. */
    default Future<Lease> release(String leaseId) {
        return release(leaseId, "");
    }

    /**
     * {@link #release(String)} by the token named {@code requester}, to which a raw lease must belong, as for {@link
     * #heartbeat(String, Optional, String)}.
     */
    Future<Lease> release(String leaseId, String requester);

    /** Admin: ends the KB's current grant whoever holds it; the next waiter is granted. */
    Future<Void> forceRelease(KbId kb);
}
