package dev.kbsync.worker.run;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.apply.StopSignal;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a granted lease while its unit runs, and stops the unit when it may no longer write:
 *
 * <ul>
 *   <li>heartbeats every ttl/3 (a Vert.x timer, the call on a thread of the keeper's own, never on Vert.x's worker pool,
 *       which a bot may fill with calls waiting for a KB; a beat is skipped while the previous one is still under way,
 *       slow or retried, so that a slow coordinator never has one lease hold more than one thread); a heartbeat
 *       answered LEASE_LOST, or with the lease no longer {@code granted} (or under another token), fires the
 *       {@link #stop()} signal at once: a running agent is killed with its process tree, and nothing is committed or
 *       pushed;
 *   <li>fires the signal {@code margin} before the grant's hard deadline ({@link Lease#deadlineAt()}, the maximum
 *       hold, which no heartbeat pushes out), so the unit is abandoned before the coordinator ends the grant. The time
 *       left is read skew-free from the lease itself ({@code deadlineAt - expiresAt + ttl}, both the coordinator's
 *       clock, counted from when the lease arrived); the margin is capped at half the TTL, so the heartbeats keep the
 *       grant alive up to its deadline and the coordinator counts the overrun as {@code MAX_HOLD_EXCEEDED};
 *   <li>checks once more, synchronously, right before the push: a stopped unit, a lost or not-granted lease, or a
 *       heartbeat refused for good (401, 403, another 4xx) stops the push; an unreachable coordinator stops it only in
 *       fallback mode {@code fail}. A GRANTED answer is trusted only
 *       while its heartbeat was sent less than {@link #trusted} ago (the TTL less a third of it, the heartbeat period):
 *       the coordinator kept the grant for at least a TTL from then, and the last third is left for the push to begin
 *       and for the two hosts' clocks to run at slightly different rates. An older answer (the JVM was frozen: SIGSTOP,
 *       a long GC pause; or the heartbeat's retries took that long) is confirmed by a heartbeat sent there and then,
 *       and the unit is stopped {@code LEASE_LOST} if that one too comes too late. Past the unit's deadline (its
 *       heartbeats keep the grant only up to the grant's deadline) no answer lets the push go ahead: {@code
 *       MAX_HOLD_EXCEEDED}, as the deadline timer would have stopped it.
 * </ul>
 *
 * Each heartbeat says what the unit is doing ({@link #doing(String)}) and is retried while the coordinator is
 * unavailable.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    /**
     * Runs the periodic heartbeats: daemon threads of the keeper's own, never the Vert.x worker pool, which the bot
     * embedding the library may fill with blocking calls waiting for a KB (the holder's lease would lapse unbeaten).
     */
    private static final Executor BEATS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "kbsync-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    /** Runs started pre-push checks: daemon threads, kept while checks come, gone after a minute without. */
    private static final Executor CHECKS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "kbsync-pre-push-check");
        thread.setDaemon(true);
        return thread;
    });

    private final Vertx vertx;
    private final KbsyncClient client;
    private final RetryPolicy retry = RetryPolicy.defaults();
    private final ModeTracker modes;
    private final Lease lease;
    private final StopSignal stop = new StopSignal();
    /** A monotonic clock in nanoseconds ({@link System#nanoTime()}; a test's own). */
    private final LongSupplier ticker;

    private final long timer;
    private final Optional<Long> deadlineTimer;
    /** When ({@link #ticker}) the unit must stop: {@link #untilStop} from this keeper's start; empty: never. */
    private final Optional<Long> stopAt;

    private volatile boolean closed;
    /**
     * Heartbeats of {@link #beat()} under way: a beat is skipped while one is, unless that one has been under way for a
     * whole period (its answer may never come: a stalled connection, while the coordinator answers every other call);
     * never more than {@link #MOST_IN_FLIGHT} (each holds one {@link #BEATS} thread until its own timeout).
     */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** When ({@link #ticker}) the latest heartbeat of {@link #beat()} was sent. */
    private volatile long lastSent;

    private final long periodNanos;
    /** How long ({@link #ticker}) after its heartbeat was sent a GRANTED answer lets a push go ahead. */
    private final long trusted;

    private static final int MOST_IN_FLIGHT = 2;

    private volatile String doing = "waiting for the KB's local lock";
    /** What the unit did before its wait for the remote began (null: not waiting for it). */
    private volatile String step;

    public LeaseKeeper(Vertx vertx, KbsyncClient client, ModeTracker modes, Lease lease) {
        this(vertx, client, modes, lease, RunnerSettings.DEFAULT_DEADLINE_MARGIN);
    }

    public LeaseKeeper(Vertx vertx, KbsyncClient client, ModeTracker modes, Lease lease, Duration margin) {
        this(vertx, client, modes, lease, null, margin, System::nanoTime);
    }

    /**
     * The keeper of a job's lease as a poll assigned it: its time left counts from the claim (the job's {@code
     * startedAt}), which its expiry does not tell when the coordinator capped it at the deadline.
     */
    public static LeaseKeeper of(Vertx vertx, KbsyncClient client, ModeTracker modes, Assignment a, Duration margin) {
        return new LeaseKeeper(vertx, client, modes, a.lease(), a.job().startedAt(), margin, System::nanoTime);
    }

    /**
     * As {@link #LeaseKeeper(Vertx, KbsyncClient, ModeTracker, Lease, Duration)}, the lease read at {@code readAt}
     * (null: unknown; {@link #untilStop(Lease, Instant, Duration)}), measuring time by {@code ticker} (monotonic
     * nanoseconds, as {@link System#nanoTime()}: a wall clock's step must not move a lease's bounds).
     */
    LeaseKeeper(
            Vertx vertx,
            KbsyncClient client,
            ModeTracker modes,
            Lease lease,
            Instant readAt,
            Duration margin,
            LongSupplier ticker) {
        this.vertx = vertx;
        this.ticker = ticker;
        this.client = client;
        this.modes = modes;
        this.lease = lease;
        long period = Math.max(100, lease.ttl().toMillis() / 3);
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(period);
        this.trusted = lease.ttl().toNanos() - lease.ttl().toNanos() / 3;
        this.timer = vertx.setPeriodic(period, id -> beat());
        long started = ticker.getAsLong();
        Optional<Duration> untilStop = untilStop(lease, readAt, margin);
        this.stopAt = untilStop.map(left -> started + left.toNanos());
        this.deadlineTimer =
                untilStop.map(left -> vertx.setTimer(Math.max(1, left.toMillis()), id -> stopAtDeadline()));
    }

    /** How long the unit has until it must stop (never negative); empty: the grant has no deadline. */
    Optional<Duration> timeLeft() {
        return stopAt.map(at -> Duration.ofNanos(Math.max(0, at - ticker.getAsLong())));
    }

    /** Stops the unit: its grant's hard deadline is near (the deadline timer, or a pre-push check that found it past). */
    private void stopAtDeadline() {
        if (stop.stop(
                UnitAbortedException.MAX_HOLD_EXCEEDED,
                "the grant's hard deadline " + lease.deadlineAt() + " is near; abandoning the unit")) {
            log.warn(
                    "lease {} (fence {}) reaches its deadline {} while {}: stopping the unit",
                    lease.id(),
                    lease.fencingToken(),
                    lease.deadlineAt(),
                    doing);
        }
    }

    /**
     * The time from now until the unit must stop: the grant's time left, from when the lease was read ({@code expiresAt
     * - ttl}, or {@code grantedAt} if later: an expiry the coordinator capped, at a raw waiter's keep-alive or at the
     * deadline, says less) to {@code deadlineAt}, less the margin (at most half the TTL). Empty for a lease without a
     * deadline.
     */
    public static Optional<Duration> untilStop(Lease lease, Duration margin) {
        return untilStop(lease, null, margin);
    }

    /**
     * {@link #untilStop(Lease, Duration)} of a lease read at {@code readAt} on the coordinator's clock, when known (a
     * job's claim: its {@code startedAt}; null: unknown).
     */
    public static Optional<Duration> untilStop(Lease lease, Instant readAt, Duration margin) {
        if (lease.deadlineAt() == null || lease.expiresAt() == null) {
            return Optional.empty();
        }
        Instant read = lease.expiresAt().minus(lease.ttl());
        if (lease.grantedAt() != null && lease.grantedAt().isAfter(read)) {
            read = lease.grantedAt();
        }
        if (readAt != null && readAt.isAfter(read) && readAt.isBefore(lease.deadlineAt())) {
            read = readAt;
        }
        Duration left = Duration.between(read, lease.deadlineAt());
        Duration cap = lease.ttl().dividedBy(2);
        Duration effective = margin.compareTo(cap) > 0 ? cap : margin;
        return Optional.of(left.minus(effective));
    }

    /**
     * The time from now until the unit must stop ({@link #untilStop(Lease, Duration)} counted from this keeper's start,
     * as its deadline timer counts it), negative once past; empty for a lease without a deadline.
     */
    public Optional<Duration> leftUntilStop() {
        long now = ticker.getAsLong();
        return stopAt.map(at -> Duration.ofNanos(at - now));
    }

    /**
     * Sends a heartbeat now rather than at the first period (a third of the TTL): a raw lease granted from the queue
     * lapses by its waiter keep-alive, a few seconds, unless heartbeaten. Skipped while one is under way.
     */
    public void renew() {
        beat();
    }

    /**
     * What the unit is doing now ("pushing to <remote>", "running the agent"): told by the deadline's log line, and
     * sent with each heartbeat, so that the coordinator names it if the job fails because its grants overran or lapsed.
     */
    public void doing(String what) {
        step = null;
        doing = what;
    }

    /**
     * The unit waits for its remote ({@code what} says how far the wait is): {@link #doing(String)} until
     * {@link #remoteAnswered()}, sent at once in a heartbeat of its own when the wait begins (the periodic heartbeats
     * are a third of the TTL apart, which may be longer than the first pauses of the wait); while another heartbeat is
     * under way, its retry or the next periodic one says it.
     */
    public void waitingForRemote(String what) {
        boolean begins = step == null;
        if (begins) {
            step = doing;
        }
        doing = what;
        if (begins && !closed) {
            beat();
        }
    }

    /** The remote answered again: the unit says again what it did before its wait ({@link #waitingForRemote}). */
    public void remoteAnswered() {
        String before = step;
        if (before != null) {
            step = null;
            doing = before;
        }
    }

    /** Fired when the unit must stop at once (lease lost, deadline near); watched by running agents. */
    public StopSignal stop() {
        return stop;
    }

    /** Throws {@link UnitAbortedException} unless the push may go ahead. Blocks: call it off the event loop. */
    public void checkBeforePush() {
        finishCheck(ticker.getAsLong(), this::heartbeat);
    }

    /**
     * {@link #checkBeforePush()} with its heartbeat sent now, on a {@link #CHECKS} thread, so that it overlaps the
     * last commit; {@link PrePushCheck#await()} (off the event loop) waits for the answer and judges it as
     * {@code checkBeforePush} does, the stop signal included as it stands then, and the answer's age counted from now.
     */
    public PrePushCheck startCheckBeforePush() {
        long sent = ticker.getAsLong();
        CompletableFuture<Lease> beat = CompletableFuture.supplyAsync(this::heartbeat, CHECKS);
        return () -> finishCheck(sent, () -> answer(beat));
    }

    /**
     * Judges the check's heartbeat, sent at {@code sent}; a GRANTED answer older than {@link #trusted} by now is
     * confirmed by a heartbeat sent now, which must itself come in time.
     */
    private void finishCheck(long sent, Supplier<Lease> heartbeat) {
        throwIfStopped();
        boolean granted = confirmed(heartbeat);
        throwIfPastDeadline();
        if (!granted || fresh(sent)) {
            return;
        }
        long again = ticker.getAsLong();
        log.info(
                "the pre-push heartbeat of lease {} was sent {} ms ago (trusted for {} ms): heartbeating again",
                lease.id(),
                TimeUnit.NANOSECONDS.toMillis(again - sent),
                TimeUnit.NANOSECONDS.toMillis(trusted));
        if (confirmed(this::heartbeat) && !fresh(again)) {
            lost("lease " + lease.id() + " could not be confirmed within " + TimeUnit.NANOSECONDS.toMillis(trusted)
                    + " ms of a heartbeat; it may have lapsed");
            throwIfStopped();
        }
        throwIfPastDeadline(); // the deadline may have passed while the confirming heartbeat was answered
    }

    /**
     * Judges one heartbeat: throws {@link UnitAbortedException} if the unit must stop (lease lost or not granted, the
     * stop signal); true if the answer shows the grant held, false if the coordinator could not be reached (a
     * degraded push, under the local lock only).
     */
    private boolean confirmed(Supplier<Lease> heartbeat) {
        try {
            Lease now = heartbeat.get();
            modes.reachable();
            if (!holds(now)) {
                lost("lease " + lease.id() + " is " + now.state().wire() + ", not granted");
            }
            throwIfStopped();
            return true;
        } catch (KbsyncException.Interrupted e) {
            throw new UnitAbortedException(UnitAbortedException.WORKER_SHUTDOWN, "interrupted before push");
        } catch (KbsyncException e) {
            handle(e);
            throwIfStopped();
            return false;
        }
    }

    /**
     * Stops the unit if its deadline passed (by {@link #ticker}): a heartbeat near the deadline keeps the grant only up
     * to it, so no answer lets a push go ahead then, whatever its age; the deadline timer, on an event loop, may not
     * have run yet (a JVM frozen across the deadline races it at the thaw).
     */
    private void throwIfPastDeadline() {
        if (leftUntilStop().filter(Duration::isNegative).isPresent()) {
            stopAtDeadline();
        }
        throwIfStopped();
    }

    /** True while an answer to a heartbeat sent at {@code sent} may still be trusted. */
    private boolean fresh(long sent) {
        return ticker.getAsLong() - sent < trusted;
    }

    /** Throws {@link UnitAbortedException} with the stop's code if the unit must stop (lease lost, deadline, shutdown). */
    public void throwIfStopped() {
        stop.stopped().ifPresent(s -> {
            throw new UnitAbortedException(s.code(), s.message());
        });
    }

    /** True if the heartbeat's answer still shows our grant. */
    private boolean holds(Lease now) {
        return now.state() == LeaseState.GRANTED
                && (now.fencingToken() == null || Objects.equals(now.fencingToken(), lease.fencingToken()));
    }

    private void lost(String why) {
        if (stop.stop(UnitAbortedException.LEASE_LOST, why) && !closed) {
            log.warn("{} (fence {}); stopping the unit: no commit, no push", why, lease.fencingToken());
        }
    }

    /**
     * Judges a pre-push heartbeat's failure: lost (409, 404) or refused for good (401, 403, any other 4xx, an answer
     * not a coordinator's: the grant can be neither confirmed nor kept) stops the unit {@code LEASE_LOST}; unreachable,
     * the push goes ahead degraded, or stops {@code COORDINATOR_UNAVAILABLE} in fallback mode {@code fail}.
     */
    private void handle(KbsyncException failure) {
        if (gone(failure)) {
            lost("lease " + lease.id() + " was lost");
        } else if (failure instanceof KbsyncException.Unavailable) {
            modes.unreachable(failure.getMessage());
            if (modes.fallback() == FallbackMode.FAIL) {
                throw new UnitAbortedException(
                        UnitAbortedException.COORDINATOR_UNAVAILABLE,
                        "coordinator unreachable and fallback is 'fail'; not pushing");
            }
            log.warn("pushing under the local lock only (degraded); the non-forcing push keeps the remote safe");
        } else {
            lost("the heartbeat of lease " + lease.id() + " was refused (" + failure.getMessage()
                    + "): the grant can be neither confirmed nor kept");
        }
    }

    /**
     * Whether a heartbeat's failure says the grant is no longer this unit's: lost (409), or a lease the coordinator
     * knows no more (404 {@code LEASE_NOT_FOUND}: its records gone), as the client's own held leases read it.
     */
    private static boolean gone(KbsyncException failure) {
        return failure instanceof KbsyncException.LeaseLost || failure instanceof KbsyncException.NotFound;
    }

    /** The started heartbeat's answer; its failure as the heartbeat would have thrown it. */
    private static Lease answer(CompletableFuture<Lease> beat) {
        try {
            return beat.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnitAbortedException(UnitAbortedException.WORKER_SHUTDOWN, "interrupted before push");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("heartbeat failed: " + e.getCause(), e.getCause());
        }
    }

    private Lease heartbeat() {
        return retry.call(() -> client.heartbeat(lease.id(), doing));
    }

    private void beat() {
        int under = inFlight.get();
        if (under >= MOST_IN_FLIGHT || under > 0 && ticker.getAsLong() - lastSent < periodNanos) {
            return; // the previous heartbeat still waits for its answer or retries: it sends what the unit does now
        }
        if (!inFlight.compareAndSet(under, under + 1)) {
            return;
        }
        lastSent = ticker.getAsLong();
        CompletableFuture.supplyAsync(this::heartbeat, BEATS).whenComplete((answer, failure) -> {
            inFlight.decrementAndGet();
            if (!closed) { // a closed keeper's unit is over: a late answer (its Vert.x closed meanwhile) says nothing
                judge(answer, failure instanceof CompletionException ? failure.getCause() : failure);
            }
        });
    }

    /** Judges a periodic heartbeat's answer (or its failure): a lease lost or not granted stops the unit. */
    private void judge(Lease answer, Throwable failure) {
        if (failure == null) {
            modes.reachable();
            if (!holds(answer)) {
                lost("lease " + lease.id() + " is " + answer.state().wire() + ", not granted");
            }
        } else if (failure instanceof KbsyncException e && gone(e)) {
            lost("lease " + lease.id() + " was lost");
        } else if (failure instanceof KbsyncException.Unavailable) {
            modes.unreachable(failure.getMessage());
        } else {
            log.warn("heartbeat of lease {} failed: {}", lease.id(), failure.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        vertx.cancelTimer(timer);
        deadlineTimer.ifPresent(vertx::cancelTimer);
    }
}
