package dev.kbsync.coordinator.service;

import dev.kbsync.coordinator.error.UnavailableException;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases leases whose id nobody learned: their request was answered with an error, or not at all (the client left,
 * the channel closed, Redis's bound answered 503 first). Nobody else can release them, so a release Redis did not take
 * (503: down, a failover, a replica short) is sent again, after 0.25 s, then twice as long each time up to 4 s, until
 * Redis takes it or {@code giveUpAfter} (the longest any lease can be held) has passed. Otherwise a waiter orphaned by
 * a short outage would be granted once Redis answers again and hold its KB for its TTL with nobody to use it.
 */
public final class Orphans {
    private static final Logger log = LoggerFactory.getLogger(Orphans.class);
    private static final long FIRST_RETRY_MS = 250;
    private static final long LAST_RETRY_MS = 4_000;

    private final Vertx vertx;
    private final LeaseService leases;
    private final Duration giveUpAfter;

    public Orphans(Vertx vertx, LeaseService leases, Duration giveUpAfter) {
        this.vertx = vertx;
        this.leases = leases;
        this.giveUpAfter = giveUpAfter;
    }

    /** Releases {@code id}, again while Redis does not take it; releasing twice is harmless. */
    public void release(String id) {
        attempt(id, System.nanoTime() + giveUpAfter.toNanos(), FIRST_RETRY_MS);
    }

    private void attempt(String id, long until, long nextDelayMs) {
        leases.release(id).onFailure(failure -> {
            if (failure instanceof UnavailableException && System.nanoTime() + nextDelayMs * 1_000_000 < until) {
                log.debug("releasing orphaned lease {} again in {} ms: {}", id, nextDelayMs, failure.toString());
                vertx.setTimer(nextDelayMs, t -> attempt(id, until, Math.min(LAST_RETRY_MS, nextDelayMs * 2)));
            } else {
                log.info("could not release orphaned lease {} ({}); it lapses at its TTL", id, failure.toString());
            }
        });
    }
}
