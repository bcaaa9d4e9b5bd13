package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Worker affinity, this coordinator's part: a KB's job grant whose preferred worker (the one that last released a
 * grant of the KB, so its checkout holds the KB's newest commit) polls here, or just finished a job here, is offered to
 * that worker's polls alone for at most the window, then made dispatchable to any worker. A preferred worker that is
 * busy (took a job since), unknown here (gone, or polling another coordinator) or not running the grant's kind of job
 * gets no offer: the grant is dispatchable at once. Affinity only chooses which worker runs a KB's head job (the grant is the KB's FIFO head),
 * and an offer never blocks another KB. Everything runs on the engine context.
 */
final class Affinity {
    /** A worker that finished a job here this recently is expected to poll again. */
    private static final long FINISHED_FRESH_NANOS = Duration.ofSeconds(1).toNanos();

    private final Vertx vertx;
    private final long windowMs;
    private final Map<String, Deque<Offer>> offers = new HashMap<>();
    private final Map<KbId, Offer> byKb = new HashMap<>();
    private final Map<String, Integer> polling = new HashMap<>();
    private final Map<String, Long> finished = new HashMap<>();
    private final Map<String, Set<JobKind>> runs = new HashMap<>();

    Affinity(Vertx vertx, Duration window) {
        this.vertx = vertx;
        this.windowMs = window.toMillis();
    }

    /**
     * Offers {@code kb}'s grant (a {@code kind} job) to {@code worker}; returns false (the caller gives it to all) when
     * the worker neither polls here nor just finished here, its last poll here said it does not run {@code kind} jobs,
     * or affinity is off. {@code toAll} runs after the window, or at once if the worker takes another job first. An
     * earlier offer of the KB is dropped: its grant ended.
     */
    boolean offer(KbId kb, JobKind kind, String worker, Runnable toAll) {
        Offer earlier = byKb.get(kb);
        if (earlier != null) {
            remove(earlier);
        }
        if (windowMs <= 0
                || !(pollingHere(worker) || finishedRecently(worker))
                || !runs.getOrDefault(worker, EnumSet.allOf(JobKind.class)).contains(kind)) {
            return false;
        }
        Offer offer = new Offer(kb, worker, toAll);
        offer.timer = vertx.setTimer(windowMs, t -> expire(offer));
        offers.computeIfAbsent(worker, w -> new ArrayDeque<>()).add(offer);
        byKb.put(kb, offer);
        return true;
    }

    /** The oldest KB offered to {@code worker}, taken out of the offers. */
    Optional<KbId> take(String worker) {
        Deque<Offer> mine = offers.get(worker);
        Offer offer = mine == null ? null : mine.poll();
        if (offer == null) {
            return Optional.empty();
        }
        remove(offer);
        return Optional.of(offer.kb);
    }

    /**
     * Whether {@code worker} may claim {@code kb}'s grant, found on the ready set: not while it is offered to another
     * worker (the entry is stale: left by a sweep, or made for an earlier grant); the offer ends if it was this
     * worker's.
     */
    boolean mayClaim(KbId kb, String worker) {
        Offer offer = byKb.get(kb);
        if (offer == null) {
            return true;
        }
        if (!offer.worker.equals(worker)) {
            return false;
        }
        remove(offer);
        return true;
    }

    /** Whether {@code kb}'s grant is offered to one worker right now (not to be made dispatchable meanwhile). */
    boolean holds(KbId kb) {
        return byKb.containsKey(kb);
    }

    /** A poll of {@code worker}, which runs {@code kinds} of jobs, started here. */
    void pollStarted(String worker, Set<JobKind> kinds) {
        polling.merge(worker, 1, Integer::sum);
        if (runs.size() > 10_000 && !runs.containsKey(worker)) {
            runs.clear(); // bounded: a worker's next poll tells again
        }
        runs.put(worker, kinds);
    }

    /** A poll of {@code worker} ended here. */
    void pollEnded(String worker) {
        polling.computeIfPresent(worker, (w, n) -> n > 1 ? n - 1 : null);
    }

    /** {@code worker} took a job: if none of its polls waits here, it is busy, and its offers go to all at once. */
    void claimed(String worker) {
        finished.remove(worker);
        if (pollingHere(worker)) {
            return;
        }
        Deque<Offer> mine = offers.remove(worker);
        if (mine != null) {
            mine.forEach(this::expire);
        }
    }

    /** {@code worker} released a job's grant here: it will poll again soon. */
    void finished(String worker) {
        if (finished.size() > 10_000) {
            finished.clear(); // bounded: it only ever holds workers that finished in the last second
        }
        finished.put(worker, System.nanoTime());
    }

    private boolean pollingHere(String worker) {
        return polling.containsKey(worker);
    }

    private boolean finishedRecently(String worker) {
        Long at = finished.get(worker);
        return at != null && System.nanoTime() - at < FINISHED_FRESH_NANOS;
    }

    private void expire(Offer offer) {
        if (byKb.get(offer.kb) != offer) {
            return;
        }
        remove(offer);
        offer.toAll.run();
    }

    private void remove(Offer offer) {
        vertx.cancelTimer(offer.timer);
        byKb.remove(offer.kb, offer);
        Deque<Offer> mine = offers.get(offer.worker);
        if (mine != null) {
            mine.remove(offer);
            if (mine.isEmpty()) {
                offers.remove(offer.worker);
            }
        }
    }

    private static final class Offer {
        final KbId kb;
        final String worker;
        final Runnable toAll;
        long timer;

        Offer(KbId kb, String worker, Runnable toAll) {
            this.kb = kb;
            this.worker = worker;
            this.toAll = toAll;
        }
    }
}
