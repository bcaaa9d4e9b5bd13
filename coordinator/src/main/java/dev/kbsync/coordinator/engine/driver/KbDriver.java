package dev.kbsync.coordinator.engine.driver;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Head;
import dev.kbsync.coordinator.engine.ticket.Outcomes.LockBusy;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NotHead;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.redisson.api.RLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one KB's acquisitions on this coordinator while it holds the KB's driver key: grants the head ticket when an
 * enqueue or release step could not. The grant step takes the KB's {@code RFairLock} itself when Redisson's rules
 * allow; when the lock is busy (held outside kbsync, or Redisson waiters queued first) only the head ticket waits on
 * it with {@code lockAsync} and the ticket's synthetic thread id, and is granted once the lock is held (the slow
 * path). All state lives on the engine context; rounds never overlap and a change during a round triggers another.
 */
public final class KbDriver {
    private static final Logger LOG = LoggerFactory.getLogger(KbDriver.class);

    private final KbId kb;
    private final Redis redis;
    private final Tickets tickets;
    private final RLock lock;
    private final DriverSettings settings;
    private final Consumer<Granted> onGrant;
    private boolean driving;
    private Long heldThread;
    private boolean running;
    private boolean again;
    private boolean stopped;
    private List<Promise<Void>> waiting = new ArrayList<>();

    public KbDriver(KbId kb, Redis redis, Tickets tickets, DriverSettings settings, Consumer<Granted> onGrant) {
        this.kb = kb;
        this.redis = redis;
        this.tickets = tickets;
        this.lock = redis.client().getFairLock(new KbKeys(kb).lock());
        this.settings = settings;
        this.onGrant = onGrant;
    }

    /** Runs a round (or another one after the current); completes when that round is over. */
    public Future<Void> pump() {
        Promise<Void> done = Promise.promise();
        redis.context().runOnContext(v -> {
            waiting.add(done);
            if (running) {
                again = true;
            } else {
                run();
            }
        });
        return done.future();
    }

    /** Runs a round only if this coordinator drives the KB (a change made elsewhere). */
    public void pumpIfDriving() {
        redis.context().runOnContext(v -> {
            if (driving) {
                pump();
            }
        });
    }

    /** Leaves the KB for good: releases the Redisson lock held here and the driver key, keeps every grant. */
    public Future<Void> stop() {
        Promise<Void> done = Promise.promise();
        redis.context().runOnContext(v -> {
            boolean was = driving;
            driving = false;
            stopped = true;
            again = false;
            Future<Void> unlocked = unlockHeld();
            Future<Void> left = was ? tickets.undrive(kb) : Future.succeededFuture();
            Future.all(unlocked, left).<Void>mapEmpty().onComplete(done);
        });
        return done.future();
    }

    /**
     * The sweep saw that this coordinator drives the KB (renewed or newly claimed): a round runs unless the sweep
     * found the head granted and this driver holds no lock of its own (a round would read the head and find nothing
     * to do: one script per KB and pass saved on every KB whose holder has others queued behind it).
     */
    public void swept(boolean granted) {
        redis.context().runOnContext(v -> {
            driving = true;
            if (!granted || heldThread != null) {
                pump();
            }
        });
    }

    /** Another coordinator drives the KB now, or nobody needs to: give up the lock this driver holds. */
    public void resign() {
        redis.context().runOnContext(v -> {
            driving = false;
            if (!running) {
                unlockHeld();
            }
        });
    }

    private void run() {
        if (stopped) {
            waiting.forEach(Promise::tryComplete);
            waiting.clear();
            return;
        }
        running = true;
        again = false;
        List<Promise<Void>> batch = waiting;
        waiting = new ArrayList<>();
        round().onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("driving KB {} failed: {}", kb, ar.cause().toString());
            }
            running = false;
            batch.forEach(Promise::tryComplete);
            if (again) {
                run();
            }
        });
    }

    private Future<Void> round() {
        Future<Boolean> drive = driving ? Future.succeededFuture(true) : tickets.drive(kb);
        return drive.compose(ok -> {
            driving = ok;
            return ok ? tickets.head(kb).compose(this::advance) : unlockHeld();
        });
    }

    private Future<Void> advance(Optional<Head> head) {
        if (heldThread != null && (head.isEmpty() || head.get().thread() != heldThread)) {
            return unlockHeld().compose(v -> advance(head));
        }
        if (head.isEmpty() || head.get().granted()) {
            return Future.succeededFuture();
        }
        String ticket = head.get().ticket();
        return tickets.grant(kb, ticket)
                .compose(result -> result instanceof LockBusy && heldThread == null
                        ? lock(head.get().thread()).compose(v -> tickets.grant(kb, ticket))
                        : Future.succeededFuture(result))
                .map(result -> {
                    if (result instanceof Granted granted) {
                        heldThread = null; // the grant owns the lock now; its release drops it
                        onGrant.accept(granted);
                    } else if (result instanceof NotHead) {
                        again = true;
                    } else if (result instanceof LockBusy) {
                        LOG.warn("KB {}: the RFairLock is still busy after lockAsync; the next sweep retries", kb);
                    }
                    return null;
                });
    }

    /**
     * Waits for the lock for the head ticket's thread. With a lease time, not Redisson's watchdog: the grant step
     * then takes the lock over (its TTL follows the grant, renewed by the grant's heartbeats on any coordinator), so
     * the lock does not lapse when this coordinator stops while the grant lives on.
     */
    private Future<Void> lock(long thread) {
        return redis.on(lock.lockAsync(settings.driverTtlMs(), TimeUnit.MILLISECONDS, thread))
                .compose(v -> {
                    heldThread = thread;
                    return stopped
                            ? unlockHeld().compose(x -> Future.failedFuture("driver stopped"))
                            : Future.succeededFuture();
                });
    }

    private Future<Void> unlockHeld() {
        if (heldThread == null) {
            return Future.succeededFuture();
        }
        long thread = heldThread;
        heldThread = null;
        return redis.on(lock.unlockAsync(thread)).otherwise(e -> {
            LOG.debug("unlock of KB {} thread {} failed: {}", kb, thread, e.toString());
            return null;
        });
    }
}
