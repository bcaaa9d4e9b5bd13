package dev.kbsync.api.client;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import java.time.Duration;
import java.util.function.Consumer;

/** A {@link LeaseChannel} whose calls block, as {@link KbsyncClient}'s do; {@link #async()} is the channel itself. */
public final class BlockingLeaseChannel implements AutoCloseable {
    private final LeaseChannel channel;
    private final KbsyncClient client;

    BlockingLeaseChannel(LeaseChannel channel, KbsyncClient client) {
        this.channel = channel;
        this.client = client;
    }

    /** See {@link LeaseChannel#request}. */
    public Lease request(KbId kb, LeaseRequest request) {
        return client.await(channel.request(kb, request), request.maxWait());
    }

    /** See {@link LeaseChannel#request(KbId, LeaseRequest, java.util.function.Consumer)}. */
    public Lease request(KbId kb, LeaseRequest request, Consumer<Lease> onPosition) {
        return client.await(channel.request(kb, request, onPosition), request.maxWait());
    }

    /** See {@link LeaseChannel#heartbeat}. */
    public Lease heartbeat(String leaseId) {
        return client.await(channel.heartbeat(leaseId), Duration.ZERO);
    }

    /** See {@link LeaseChannel#release}. */
    public Lease release(String leaseId) {
        return client.await(channel.release(leaseId), Duration.ZERO);
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
        client.await(channel.closeAsync(), Duration.ZERO);
    }
}
