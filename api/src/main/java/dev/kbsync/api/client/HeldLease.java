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

    private final AsyncKbsyncClient client;
    private final Vertx vertx;
    private final long timer;
    private volatile Lease lease;
    private volatile boolean lost;
    private volatile boolean closed;

    private HeldLease(AsyncKbsyncClient client, Vertx vertx, Lease granted) {
        this.client = client;
        this.vertx = vertx;
        this.lease = granted;
        long period = Math.max(MIN_PERIOD.toMillis(), granted.ttl().toMillis() / 3);
        this.timer = vertx.setPeriodic(period, id -> beat());
    }

    static HeldLease start(AsyncKbsyncClient client, Vertx vertx, Lease granted) {
        return new HeldLease(client, vertx, granted);
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
        client.heartbeat(lease.id()).onSuccess(l -> lease = l).onFailure(e -> {
            if (e instanceof KbsyncException.LeaseLost || e instanceof KbsyncException.NotFound) {
                lost = true;
                vertx.cancelTimer(timer);
            } // anything else (a coordinator moment away): the next period tries again, well within the TTL
        });
    }

    /** Stops the heartbeats and releases the lease (releasing a lost one is harmless); waits for the release. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(timer);
        try {
            client.release(lease.id()).toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) { // unreachable coordinator: the grant lapses after its TTL
            // nothing else to do: the heartbeats stopped
        }
    }
}
