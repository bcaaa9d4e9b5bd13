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
    private volatile boolean lost;
    private volatile boolean closed;

    HeldLease(KbsyncClient client, Lease granted) {
        this.client = client;
        this.vertx = client.async().transport().vertx();
        this.lease = granted;
        long period = Math.max(MIN_PERIOD.toMillis(), granted.ttl().toMillis() / 3);
        this.timer = vertx.setPeriodic(period, id -> beat());
    }

    /** The grant as its last heartbeat returned it. */
    public Lease lease() {
        return lease;
    }

    /** The grant's fencing token: it strictly increases per KB; pass it along with every write made under the lock. */
    public long fencingToken() {
        return lease.fencingToken();
    }

    /** True once a heartbeat found the lease no longer the holder's (expired, force-released, gone): stop writing. */
    public boolean lost() {
        return lost;
    }

    private void beat() {
        if (closed || lost) {
            return;
        }
        client.async().heartbeat(lease.id()).onSuccess(l -> lease = l).onFailure(e -> {
            if (e instanceof KbsyncException.LeaseLost || e instanceof KbsyncException.NotFound) {
                lost = true;
                vertx.cancelTimer(timer);
            } // anything else (a coordinator moment away): the next period tries again, well within the TTL
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
