package dev.kbsync.api.client;

import dev.kbsync.api.Lease;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * A KB's lock held until {@link #close()} ({@link KbsyncClient#hold}): granted, heartbeaten on the client's event loop
 * every third of its TTL, and released on close. Use it in try-with-resources, so the lock is released on every path;
 * fence your writes with {@link #fencingToken()} and stop writing once {@link #lost()} is true.
 */
public final class HeldLease implements AutoCloseable {
    private static final Duration MIN_PERIOD = Duration.ofMillis(200);

    private final KbsyncClient client;
    private final Vertx vertx;
    private final long timer;
    private volatile Lease lease;

    /**
     * When (nanoTime) the grant's TTL last started to run, as far as this client can tell: when its grant came, then
     * when each heartbeat the coordinator took was sent (it extends the grant from when it takes it, not earlier).
     */
    private volatile long renewedAt;
    /**
     * How long after {@link #renewedAt} the grant stands: the TTL once a heartbeat was taken, or the time left to the
     * hard end when that is sooner.
     */
    private volatile long window;

    /** When (nanoTime) the grant was learned: the start of {@link #maxHold} on this client's clock. */
    private final long grantedAt;
    /**
     * How long after {@link #grantedAt} the grant ends whatever the heartbeats: its {@code deadlineAt} less its
     * {@code grantedAt}, both the coordinator's (never compared with this client's clock); unbounded without them.
     */
    private final long maxHold;

    private volatile boolean lost;
    private volatile boolean closed;

    /**
     * A grant answered as it was made (a lease request's long poll, or a KB that was free): its TTL and its hard end
     * count from now (late by the answer's way back).
     */
    HeldLease(KbsyncClient client, Lease granted) {
        this(client, granted, System.nanoTime(), System.nanoTime());
    }

    /**
     * A grant learned from a heartbeat's answer (sent at {@code sent}, nanoTime) after the lease waited, the last request
     * answered {@code waiting} having been sent at {@code waitingSince}: the grant came after that request was taken, up
     * to a poll's pause before the heartbeat. Its hard end counts from the later of {@code waitingSince} and what the
     * answer tells (the heartbeat was taken no earlier than {@code sent}, and its expiry less the TTL, against the
     * grant's time, says how long after the grant on the coordinator's clock), never from when the grant was learned;
     * its TTL from {@code sent}, as the coordinator renewed it no earlier.
     */
    static HeldLease polled(KbsyncClient client, Lease granted, long waitingSince, long sent) {
        long start = waitingSince;
        if (granted.grantedAt() != null
                && granted.expiresAt() != null
                && (granted.deadlineAt() == null || granted.expiresAt().isBefore(granted.deadlineAt()))) {
            // not capped at the deadline: the coordinator set its expiry to when it took the heartbeat plus the TTL
            long sinceGrant = Duration.between(
                            granted.grantedAt(), granted.expiresAt().minus(granted.ttl()))
                    .toNanos();
            if (sinceGrant >= 0) {
                start = Math.max(start, sent - sinceGrant);
            }
        }
        return new HeldLease(client, granted, start, sent);
    }

    private HeldLease(KbsyncClient client, Lease granted, long grantedAt, long renewedAt) {
        this.client = client;
        this.vertx = client.async().transport().vertx();
        this.lease = granted;
        this.renewedAt = renewedAt;
        this.grantedAt = Math.min(grantedAt, renewedAt);
        this.maxHold = maxHold(granted);
        this.window = Math.min(firstWindow(granted), maxHold - (this.renewedAt - this.grantedAt));
        long period = Math.max(MIN_PERIOD.toMillis(), granted.ttl().toMillis() / 3);
        this.timer = client.async().transport().setPeriodic(period, id -> beat());
        beat(); // at once: a grant made from the queue lapses by its waiter keep-alive, long before a third of its TTL
    }

    /**
     * How long after its grant the lease stands without a heartbeat: its TTL, or less when the coordinator capped its
     * expiry (a grant made from the queue, at the waiter's keep-alive; a grant at its deadline).
     */
    private static long firstWindow(Lease granted) {
        long ttl = granted.ttl().toNanos();
        if (granted.grantedAt() == null || granted.expiresAt() == null) {
            return ttl;
        }
        long capped = Duration.between(granted.grantedAt(), granted.expiresAt()).toNanos();
        return capped > 0 && capped < ttl ? capped : ttl;
    }

    /** The grant's whole span, {@code deadlineAt} less {@code grantedAt}; unbounded when either is missing. */
    private static long maxHold(Lease granted) {
        if (granted.grantedAt() == null || granted.deadlineAt() == null) {
            return Long.MAX_VALUE;
        }
        return Math.max(
                0, Duration.between(granted.grantedAt(), granted.deadlineAt()).toNanos());
    }

    /** The grant as its last heartbeat returned it. */
    public Lease lease() {
        return lease;
    }

    /** The grant's fencing token: it strictly increases per KB; pass it along with every write made under the lock. */
    public long fencingToken() {
        return lease.fencingToken();
    }

    /**
     * True once the lease may no longer be the holder's: a heartbeat found it lost (expired, force-released, gone) or
     * was refused for the client's token (401, 403), its TTL passed since the last heartbeat the coordinator took
     * (heartbeats answered 503, timed out or not delivered: the coordinator may have handed the KB on), or its hard end
     * ({@code deadlineAt}, counted from the grant on this client's clock) passed, which no heartbeat pushes out. Stop
     * writing; once true it stays true, and the heartbeats stop.
     */
    public boolean lost() {
        if (!lost && lapsed()) {
            lose();
        }
        return lost;
    }

    /**
     * Whether the grant's time (its TTL as the coordinator last answered it) passed since it was last renewed, or its
     * hard end passed.
     */
    private boolean lapsed() {
        long now = System.nanoTime();
        return (window > 0 && now - renewedAt >= window) || now - grantedAt >= maxHold;
    }

    private void lose() {
        lost = true;
        vertx.cancelTimer(timer);
    }

    private void beat() {
        if (closed || lost()) {
            return;
        }
        long sent = System.nanoTime();
        client.async()
                .heartbeat(lease.id())
                .onSuccess(l -> {
                    if (!lost) { // one seen lost stays lost, whatever a late answer says
                        lease = l;
                        if (sent - renewedAt > 0) { // answers on the one event loop, possibly out of order
                            renewedAt = sent;
                            window = Math.min(l.ttl().toNanos(), maxHold - (sent - grantedAt));
                        }
                    }
                })
                .onFailure(e -> {
                    if (e instanceof KbsyncException.LeaseLost
                            || e instanceof KbsyncException.NotFound
                            || e instanceof KbsyncException.Unauthenticated
                            || e instanceof KbsyncException.Forbidden) {
                        lose();
                    } // anything else (a coordinator moment away): the next period tries again, until the TTL passed
                });
    }

    /**
     * Stops the heartbeats and releases the lease (releasing a lost one is harmless), blocking as the client does; an
     * unreachable coordinator leaves the grant to lapse after its TTL.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(timer);
        client.releaseQuietly(lease.id());
    }
}
