package dev.kbsync.bench;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.BlockingLeaseChannel;
import java.time.Duration;

/**
 * The raw lease API over a lease channel (a WebSocket) as a {@link Mutex}: a request frame that waits for its grant,
 * then a release frame. Each contending thread has a channel of its own, as each client process would.
 */
final class ChannelLease implements Mutex {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final BlockingLeaseChannel channel;
    private final KbId kb;
    private final LeaseRequest request;
    private String id;

    ChannelLease(BlockingLeaseChannel channel, String kb, String holder) {
        this.channel = channel;
        this.kb = KbId.of(kb);
        this.request = LeaseRequest.of(holder).withWait(WAIT);
    }

    @Override
    public void lock() {
        Lease lease = channel.request(kb, request);
        while (lease.state() == LeaseState.WAITING) { // the wait ran out: wait again
            channel.release(lease.id());
            lease = channel.request(kb, request);
        }
        id = lease.id();
    }

    @Override
    public void unlock() {
        channel.release(id);
    }
}
