package dev.kbsync.api.client;

import dev.kbsync.api.ApiError;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.LeaseEvent;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.function.LongConsumer;

/**
 * {@link KbsyncClient#awaitGrant} and {@link KbsyncClient#hold}: a lease waited for until it is granted, on its event
 * stream or by heartbeats, through the client's blocking calls.
 */
final class GrantWait {
    private final KbsyncClient client;

    GrantWait(KbsyncClient client) {
        this.client = client;
    }

    /** See {@link KbsyncClient#awaitGrant}. */
    Lease onEvents(String leaseId, Duration wait, LongConsumer onAhead) {
        long deadline = System.nanoTime() + wait.toNanos();
        try (EventStream<LeaseEvent> events = client.leaseEvents(leaseId)) {
            while (true) {
                Lease lease = events.next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                        .lease();
                if (lease.state() == LeaseState.GRANTED) {
                    return lease;
                }
                if (lease.state() == LeaseState.RELEASED || lease.state() == LeaseState.EXPIRED) {
                    throw new KbsyncException.LeaseLost(new ApiError(
                            ApiError.LEASE_LOST,
                            "lease " + leaseId + " ended while waiting: "
                                    + lease.state().wire()));
                }
                onAhead.accept(lease.ahead());
            }
        } catch (KbsyncException.TimedOut e) {
            throw new KbsyncException.TimedOut(
                    "lease " + leaseId + " was not granted within " + wait.toMillis() + " ms", e);
        } catch (NoSuchElementException e) { // closed without the lease's grant or end: a coordinator that stops
            throw new KbsyncException.Unreachable("lease stream ended before the grant of lease " + leaseId, e);
        }
    }

    /** See {@link KbsyncClient#hold}. */
    HeldLease hold(KbId kb, LeaseRequest request, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        long sent = System.nanoTime();
        Lease lease = client.requestLease(kb, request.withWait(wait)); // the coordinator waits at most 30 s of it
        if (lease.state() == LeaseState.GRANTED) {
            return new HeldLease(client, lease); // answered as it was made
        }
        try {
            while (true) {
                if (lease.state() != LeaseState.WAITING) {
                    throw new KbsyncException.LeaseLost(new ApiError(
                            ApiError.LEASE_LOST,
                            "lease " + lease.id() + " ended while waiting: "
                                    + lease.state().wire()));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new KbsyncException.TimedOut(
                            "lease on " + kb.value() + " was not granted within " + wait.toMillis() + " ms", null);
                }
                Thread.sleep(Math.min(1_000, Math.max(1, left / 1_000_000)));
                long waitingSince = sent; // the last request answered waiting: the grant came after it was taken
                sent = System.nanoTime();
                lease = client.heartbeat(lease.id()); // keeps it queued; its answer says once it is granted
                if (lease.state() == LeaseState.GRANTED) {
                    return HeldLease.polled(client, lease, waitingSince, sent);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.releaseQuietly(lease.id());
            throw new KbsyncException.Interrupted("interrupted while waiting for a lease", e);
        } catch (RuntimeException e) {
            client.releaseQuietly(lease.id());
            throw e;
        }
    }
}
