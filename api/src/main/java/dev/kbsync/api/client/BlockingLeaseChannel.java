package dev.kbsync.api.client;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Consumer;

/** A {@link LeaseChannel} whose calls block, as {@link KbsyncClient}'s do; {@link #async()} is the channel itself. */
public final class BlockingLeaseChannel implements AutoCloseable {
    private final LeaseChannel channel;
    private final Blocking blocking;

    BlockingLeaseChannel(LeaseChannel channel, Blocking blocking) {
        this.channel = channel;
        this.blocking = blocking;
    }

    /** See {@link LeaseChannel#request}. */
    public Lease request(KbId kb, LeaseRequest request) {
        return awaitLease(channel.request(kb, request), request.maxWait());
    }

    /** See {@link LeaseChannel#request(KbId, LeaseRequest, java.util.function.Consumer)}. */
    public Lease request(KbId kb, LeaseRequest request, Consumer<Lease> onPosition) {
        return awaitLease(channel.request(kb, request, onPosition), request.maxWait());
    }

    /**
     * The requested lease; a caller that stops waiting (interrupted, or past the wait) will not use it, so the lease is
     * released when its answer comes, rather than kept alive by the channel until its deadline.
     */
    private Lease awaitLease(Future<Lease> requested, Duration wait) {
        return blocking.await(requested, wait, lease -> channel.release(lease.id()));
    }

    /** See {@link LeaseChannel#heartbeat}. */
    public Lease heartbeat(String leaseId) {
        return blocking.await(channel.heartbeat(leaseId));
    }

    /** See {@link LeaseChannel#heartbeat(String, String)}. */
    public Lease heartbeat(String leaseId, String doing) {
        return blocking.await(channel.heartbeat(leaseId, doing));
    }

    /** See {@link LeaseChannel#release}. */
    public Lease release(String leaseId) {
        return blocking.await(channel.release(leaseId));
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    public LeaseChannel async() {
        return channel;
    }

    /** Closes the channel and waits until it is closed; the coordinator releases the leases it still held. */
    @Override
    public void close() {
        blocking.await(channel.closeAsync());
    }
}
