package dev.kbsync.bench;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.KbsyncClient;
import java.time.Duration;

/**
 * The raw lease API as a {@link Mutex}: POST a lease that waits for its grant (a long poll, one exchange); should the
 * wait run out first, follow its event stream until the grant; DELETE to release.
 */
final class HttpLease implements Mutex {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final KbsyncClient api;
    private final KbId kb;
    private final LeaseRequest request;
    private String id;

    HttpLease(KbsyncClient api, String kb, String holder) {
        this.api = api;
        this.kb = KbId.of(kb);
        this.request = LeaseRequest.of(holder).withWait(WAIT);
    }

    @Override
    public void lock() {
        Lease lease = api.requestLease(kb, request);
        id = lease.id();
        if (lease.state() != LeaseState.GRANTED) {
            api.awaitGrant(id, WAIT, ahead -> {});
        }
    }

    @Override
    public void unlock() {
        api.release(id);
    }
}
