package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Long-poll on the global ready sets of the kinds of job the worker runs ({@link ReadySets}) without holding a Redis
 * connection: a non-blocking take (the KB that became ready first), else a KB offered to this worker alone ({@link Affinity}), then sleep until a "ready" notification
 * (Redis pub/sub), an offer to this worker, or a 1 s safety timer, then again, until the deadline. The ready set comes
 * first, so a KB that waits there is never passed over for one the worker is preferred for; a ready entry of a KB
 * whose grant is offered to another worker is stale and skipped (the offer makes it ready again when it lapses). A
 * worker that says it drains ({@link #end}) gets its polls in flight answered empty at once, so that its stop need not
 * wait out their wait; a poll it sends later waits as usual.
 */
public final class Poller {
    private static final long SAFETY_MS = 1000;
    /** How long a worker's drain is remembered: past the longest poll the coordinator holds (30 s). */
    private static final Duration END_KEPT = Duration.ofSeconds(31);

    private final Vertx vertx;
    private final Redis redis;
    private final ReadySets ready;
    private final Affinity affinity;
    private final Consumer<String> drains;
    private List<Sleeper> sleepers = new ArrayList<>();
    /** Per worker, when (System.nanoTime) it last said it drains: its polls that began before then end empty. */
    private final Map<String, Long> ended = new ConcurrentHashMap<>(); // a poll's first look may come off the context

    private long generation;

    /**
     * {@code drains}: tells the other coordinators that a worker drains (so its polls there end too), {@link
     * #endHeard} being what they call when they hear it.
     */
    public Poller(Vertx vertx, Redis redis, Duration affinityWindow, Consumer<String> drains) {
        this.vertx = vertx;
        this.drains = drains;
        this.redis = redis;
        this.ready = new ReadySets(redis);
        this.affinity = new Affinity(vertx, affinityWindow);
    }

    ReadySets readySets() {
        return ready;
    }

    /**
     * The next KB with a granted job of one of {@code kinds} for {@code worker}, or empty at {@code deadlineNanos}
     * (System.nanoTime), or at once when the worker drains ({@link #end}) after its poll began ({@code began}).
     */
    public Future<Optional<KbId>> take(String worker, Set<JobKind> kinds, long began, long deadlineNanos) {
        Promise<Long> seen = Promise.promise();
        redis.context().runOnContext(v -> {
            affinity.pollStarted(worker, kinds);
            seen.complete(generation);
        });
        Promise<Optional<KbId>> taken = Promise.promise();
        seen.future()
                .compose(gen -> take(new Poll(worker, kinds, began, deadlineNanos), gen))
                .onComplete(r -> redis.context().runOnContext(v -> {
                    affinity.pollEnded(worker);
                    taken.handle(r);
                }));
        return taken.future();
    }

    /**
     * Offers {@code kb}'s job grant (a {@code kind} job) to {@code worker}'s polls alone for the affinity window (then,
     * or if the worker takes another job first, {@code toAll} runs); false if it is not offered (see {@link
     * Affinity#offer}). Runs on the engine context.
     */
    boolean offer(KbId kb, JobKind kind, String worker, Runnable toAll) {
        if (!affinity.offer(kb, kind, worker, toAll)) {
            return false;
        }
        wake(worker);
        return true;
    }

    /** Whether {@code kb}'s grant is offered to one worker right now. Runs on the engine context. */
    boolean offered(KbId kb) {
        return affinity.holds(kb);
    }

    /** {@code worker} took a job from a poll. Runs on the engine context. */
    void claimed(String worker) {
        affinity.claimed(worker);
    }

    /** {@code worker} released a job's grant here. Runs on the engine context. */
    void finished(String worker) {
        affinity.finished(worker);
    }

    /** Wakes every local poller (a job became dispatchable somewhere). Runs on the engine context. */
    public void wake() {
        wake(null);
    }

    /**
     * {@code worker} says it drains: its polls in flight here end empty at once (a job one of them claimed meanwhile
     * is answered as usual; the stopping worker gives it back), and so do those at the other coordinators.
     */
    public void end(String worker) {
        endHeard(worker);
        drains.accept(worker);
    }

    /**
     * Another coordinator heard {@code worker} say it drains: its polls in flight here end empty at once. Remembered
     * for the longest poll, {@link #END_KEPT}.
     */
    public void endHeard(String worker) {
        redis.context().runOnContext(v -> {
            long at = System.nanoTime();
            ended.put(worker, at);
            vertx.setTimer(END_KEPT.toMillis(), t -> ended.remove(worker, at));
            wake(worker);
        });
    }

    private Future<Optional<KbId>> take(Poll poll, long gen) {
        if (poll.endedBy(ended.get(poll.worker))) {
            return Future.succeededFuture(Optional.empty());
        }
        return ready.take(poll.kinds).compose(kb -> {
            if (kb != null) {
                return affinity.mayClaim(KbId.of(kb), poll.worker)
                        ? Future.succeededFuture(Optional.of(KbId.of(kb)))
                        : take(poll, gen);
            }
            Optional<KbId> offered = affinity.take(poll.worker);
            return offered.isPresent() ? Future.succeededFuture(offered) : sleepThenTake(poll, gen);
        });
    }

    /** Sleeps until woken, the safety timer or the poll's deadline (then empty), and looks again. */
    private Future<Optional<KbId>> sleepThenTake(Poll poll, long gen) {
        long remainingMs = (poll.deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remainingMs <= 0) {
            return Future.succeededFuture(Optional.empty());
        }
        return sleep(poll.worker, gen, Math.min(remainingMs, SAFETY_MS)).compose(next -> take(poll, next));
    }

    /**
     * Takes {@code kb} off its {@code kind}'s ready set if it is there, else once it is back there after the next ready
     * event (a grant), waiting for that at most until {@code untilNanos}, or less if the worker drains: a poll that found
     * the KB's grant lapsed waits for the sweep to grant its job again, at its place, rather than take a KB that became
     * ready later. Whether it took it; false also when the event was another KB's (or another poll took this one): the
     * poll then goes on as usual, never idle while a KB waits.
     */
    Future<Boolean> takeWhenBack(String worker, KbId kb, JobKind kind, long began, long untilNanos) {
        Promise<Long> seen = Promise.promise();
        redis.context().runOnContext(v -> seen.complete(generation));
        Poll poll = new Poll(worker, Set.of(kind), began, untilNanos);
        return seen.future().compose(gen -> takeWhenBack(poll, kb, kind, gen, false));
    }

    private Future<Boolean> takeWhenBack(Poll poll, KbId kb, JobKind kind, long gen, boolean woken) {
        return redis.on(ready.of(kind).removeAsync(kb.value())).compose(taken -> {
            long remainingMs = (poll.deadlineNanos - System.nanoTime()) / 1_000_000;
            if (taken || woken || remainingMs <= 0 || poll.endedBy(ended.get(poll.worker))) {
                return Future.succeededFuture(taken);
            }
            return sleep(poll.worker, gen, remainingMs).compose(next -> takeWhenBack(poll, kb, kind, next, true));
        });
    }

    /** Wakes {@code worker}'s local pollers (every one's if null); the others see the new generation. */
    private void wake(String worker) {
        generation++;
        List<Sleeper> woken = new ArrayList<>();
        List<Sleeper> kept = new ArrayList<>();
        for (Sleeper s : sleepers) {
            (worker == null || worker.equals(s.worker) ? woken : kept).add(s);
        }
        sleepers = kept;
        woken.forEach(s -> s.woken.tryComplete(generation));
    }

    /** Completes with the generation to check against next, on the engine context. */
    private Future<Long> sleep(String worker, long gen, long ms) {
        Promise<Long> woken = Promise.promise();
        redis.context().runOnContext(v -> {
            if (gen != generation) {
                woken.tryComplete(generation);
                return;
            }
            Sleeper sleeper = new Sleeper(worker, woken);
            sleepers.add(sleeper);
            long timer = vertx.setTimer(ms, t -> {
                sleepers.remove(sleeper);
                woken.tryComplete(generation);
            });
            woken.future().onComplete(x -> vertx.cancelTimer(timer));
        });
        return woken.future();
    }

    private record Sleeper(String worker, Promise<Long> woken) {}

    /** One long poll: whose, for which kinds, when it began and until when it waits (System.nanoTime). */
    private record Poll(String worker, Set<JobKind> kinds, long beganNanos, long deadlineNanos) {
        /** Whether its worker said it drains after this poll began ({@code endedAt}: when, or null). */
        boolean endedBy(Long endedAt) {
            return endedAt != null && endedAt - beganNanos >= 0;
        }
    }
}
