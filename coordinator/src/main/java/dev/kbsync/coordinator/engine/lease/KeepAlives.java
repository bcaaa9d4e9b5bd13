package dev.kbsync.coordinator.engine.lease;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.service.KeepAlive;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keep-alives of the event streams open on this coordinator, batched per KB: once a {@link #PERIOD_MS period} one
 * {@code KEEP_ALIVE} step per KB keeps every lease registered for it alive (a waiter stays queued, a grant is
 * extended), at most {@link #CHUNK} leases to a script, instead of one heartbeat per stream. A KB's beat starts at a
 * random point of its first period, so KBs whose streams open together do not beat together. A lease the step finds
 * lost (ended, expired, superseded) is left out of later beats (nothing keeps it alive again) and its holders are told
 * once, so that they can let it go. A KB's beat stops with
 * its last registration; a beat still waiting for Redis makes the next one skip (Redis down: no pile-up). State lives
 * on the engine's context.
 */
public final class KeepAlives {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlives.class);

    /** How often every registered lease is kept alive. */
    public static final long PERIOD_MS = 1000;

    /** Leases kept alive by one script at most. */
    static final int CHUNK = 100;

    private final Vertx vertx;
    private final Context context;
    private final Tickets tickets;
    private final Map<KbId, Beat> beats = new HashMap<>();
    private boolean stopped;

    public KeepAlives(Vertx vertx, Context context, Tickets tickets) {
        this.vertx = vertx;
        this.context = context;
        this.tickets = tickets;
    }

    /**
     * Keeps {@code lease} alive from within the next period until the returned handle is closed; {@code onLost} runs
     * once, on the engine's context, if a beat finds the lease lost while the handle is open.
     */
    public KeepAlive register(LeaseRef lease, Runnable onLost) {
        Holder holder = new Holder(onLost);
        context.runOnContext(v -> add(lease, holder));
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                context.runOnContext(v -> remove(lease, holder));
            }
        };
    }

    /** Stops every beat (the engine stops). */
    public void stop() {
        context.runOnContext(v -> {
            stopped = true;
            beats.values().forEach(beat -> vertx.cancelTimer(beat.timer));
            beats.clear();
        });
    }

    private void add(LeaseRef lease, Holder holder) {
        if (stopped) {
            return;
        }
        Beat beat = beats.computeIfAbsent(lease.kb(), this::start);
        Kept kept = beat.leases.computeIfAbsent(lease.id(), id -> new Kept(lease));
        kept.holders.add(holder);
        if (kept.lost) {
            holder.tell(lease);
        }
    }

    private void remove(LeaseRef lease, Holder holder) {
        Beat beat = beats.get(lease.kb());
        Kept kept = beat == null ? null : beat.leases.get(lease.id());
        if (kept == null || !kept.holders.remove(holder) || !kept.holders.isEmpty()) {
            return;
        }
        beat.leases.remove(lease.id());
        if (beat.leases.isEmpty()) {
            vertx.cancelTimer(beat.timer);
            beats.remove(lease.kb());
        }
    }

    private Beat start(KbId kb) {
        Beat beat = new Beat(kb);
        beat.timer = vertx.setPeriodic(1 + ThreadLocalRandom.current().nextLong(PERIOD_MS), PERIOD_MS, t -> beat(beat));
        return beat;
    }

    private void beat(Beat beat) {
        if (beat.inFlight) {
            return;
        }
        List<LeaseRef> live = new ArrayList<>();
        beat.leases.values().stream().filter(k -> !k.lost).forEach(k -> live.add(k.lease));
        if (live.isEmpty()) {
            return;
        }
        List<Future<Set<String>>> steps = new ArrayList<>();
        for (int from = 0; from < live.size(); from += CHUNK) {
            steps.add(tickets.keepAlive(beat.kb, live.subList(from, Math.min(live.size(), from + CHUNK)))
                    .onSuccess(lost -> lost.forEach(id -> {
                        Kept kept = beat.leases.get(id);
                        if (kept != null && !kept.lost) {
                            kept.lost = true;
                            new ArrayList<>(kept.holders).forEach(holder -> holder.tell(kept.lease));
                        }
                    })));
        }
        beat.inFlight = true;
        Future.join(steps).onComplete(ar -> {
            beat.inFlight = false;
            if (ar.failed()) {
                LOG.debug(
                        "keeping the leases of KB {} alive failed: {}",
                        beat.kb,
                        ar.cause().toString());
            }
        });
    }

    /** One KB's registered leases and its timer. */
    private static final class Beat {
        final KbId kb;
        final Map<String, Kept> leases = new LinkedHashMap<>();
        long timer;
        boolean inFlight;

        Beat(KbId kb) {
            this.kb = kb;
        }
    }

    /** A registered lease: the open handles that keep it, and whether a beat found it lost. */
    private static final class Kept {
        final LeaseRef lease;
        final List<Holder> holders = new ArrayList<>();
        boolean lost;

        Kept(LeaseRef lease) {
            this.lease = lease;
        }
    }

    /**
     * One open handle (its own identity, whatever {@code onLost} is), told that its lease is lost: once, since a lease
     * is found lost once and a handle registered after that is told when it is added.
     */
    private static final class Holder {
        final Runnable onLost;

        Holder(Runnable onLost) {
            this.onLost = onLost;
        }

        void tell(LeaseRef lease) {
            try {
                onLost.run();
            } catch (RuntimeException e) {
                LOG.warn("the holder of lease {} failed on its loss: {}", lease.id(), e.toString());
            }
        }
    }
}
