package dev.kbsync.worker.process;

import dev.kbsync.api.client.AsyncKbsyncClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews this worker's presence ({@code PUT /v1/workers/{id}}) on a timer: every third of the presence TTL the
 * coordinator answered with (once a second until it answered), skipped while polls carry it (each poll renews it in
 * the same request). A slot that starts a job renews at once, since no poll carries that change. Never blocks.
 */
final class PresenceRenewer {
    private static final Logger log = LoggerFactory.getLogger(PresenceRenewer.class);
    private static final long FIRST_MS = 1000;
    private static final long RETRY_MS = 1000;
    private static final long MIN_MS = 100;

    private final Vertx vertx;
    private final AsyncKbsyncClient client;
    private final String workerId;
    private final Presence presence;
    private final AtomicLong lastSent = new AtomicLong(System.nanoTime() - TimeUnit.DAYS.toNanos(1));
    private volatile long periodMs = FIRST_MS;
    private volatile boolean stopped;
    private volatile long timer = -1;

    PresenceRenewer(Vertx vertx, AsyncKbsyncClient client, String workerId, Presence presence) {
        this.vertx = vertx;
        this.client = client;
        this.workerId = workerId;
        this.presence = presence;
    }

    void start() {
        schedule(1);
    }

    /** A poll is about to carry the presence: the timer need not send it for another period. */
    void carried() {
        lastSent.set(System.nanoTime());
    }

    /** Sends the presence now (a slot started a job, or the worker drains). */
    Future<Void> now() {
        return send();
    }

    void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
    }

    private void schedule(long delayMs) {
        if (!stopped) {
            timer = vertx.setTimer(Math.max(1, delayMs), t -> tick());
        }
    }

    private void tick() {
        if (stopped) {
            return;
        }
        long sinceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastSent.get());
        if (sinceMs < periodMs) {
            schedule(periodMs - sinceMs);
            return;
        }
        send().onComplete(r -> schedule(r.succeeded() ? periodMs : RETRY_MS));
    }

    private Future<Void> send() {
        long sentAt = System.nanoTime();
        return client.renewWorker(workerId, presence.snapshot())
                .<Void>map(worker -> {
                    lastSent.set(sentAt);
                    long ttlMs = Duration.between(worker.lastSeen(), worker.expiresAt())
                            .toMillis();
                    periodMs = Math.max(MIN_MS, ttlMs / 3);
                    return null;
                })
                .onFailure(e -> log.debug("presence renewal failed: {}", e.toString()));
    }
}
