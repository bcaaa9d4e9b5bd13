package dev.kbsync.worker.library;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.Lease;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.git.Author;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LocalLockConfig;
import dev.kbsync.lock.LockTimeoutException;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.run.CheckoutCache;
import dev.kbsync.worker.run.LeaseKeeper;
import dev.kbsync.worker.run.PhaseListener;
import dev.kbsync.worker.run.PublishCycle;
import dev.kbsync.worker.run.PushRetry;
import dev.kbsync.worker.run.RunnerSettings;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * The in-process entry point for bots: {@code try (KbSession s = kbsync.open("team", "create_note_user_7")) {...}}.
 * Coordinated through the coordinator's raw lease API while reachable, local lock only (degraded, logged) otherwise.
 */
public final class Kbsync implements AutoCloseable {
    private final Vertx vertx;
    private final KbsyncConfig config;
    private final KbsyncClient client;
    private final ModeTracker modes;
    private final RawLeases leases;
    private final CheckoutCache checkouts;
    private final LocalKbLock locks;
    private final PublishCycle cycle;
    /** The sessions opened and not closed yet: closed with this instance. */
    private final Set<KbSession> sessions = ConcurrentHashMap.newKeySet();
    /** Set by {@link #close()} (under {@link #sessions}' monitor): an open completing later hands out no session. */
    private volatile boolean closed;

    public Kbsync(Vertx vertx, KbsyncConfig config, Map<String, String> env) {
        this.vertx = vertx;
        this.config = config;
        this.client = KbsyncClient.create(vertx, config.clientOptions());
        this.modes = new ModeTracker(config.fallback());
        this.leases = new RawLeases(client, modes, config.coordinators().size());
        this.checkouts = new CheckoutCache(
                config.cacheDir(),
                new CredentialResolver(CredentialSettings.unrestricted(), env, Clock.systemUTC())::forKb);
        this.locks = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());
        this.cycle = new PublishCycle(
                new PushRetry(config.pushRetries(), Duration.ofMillis(100)), PhaseListener.NONE, d -> {});
    }

    /**
     * Opens a session on {@code kb}; blocks until the KB is ours: the lease granted (kept by heartbeats from then on),
     * then the KB's local lock, waited for within the lock timeout and the grant's deadline, and only while the lease
     * holds. Throws, holding nothing:
     *
     * <ul>
     *   <li>{@link KbBusyException}: not ours within {@link KbsyncConfig#lockTimeout()} (try again later);
     *   <li>{@link dev.kbsync.worker.run.UnitAbortedException} ({@code LEASE_LOST}): the lease was lost while waiting
     *       for the local lock;
     *   <li>{@link dev.kbsync.api.client.KbsyncException.Interrupted} (waiting for the grant) or {@link
     *       dev.kbsync.lock.LockInterruptedException} (waiting for the local lock): the thread was interrupted, its
     *       interrupt flag set again;
     *   <li>{@link dev.kbsync.api.client.KbsyncException}: the coordinator refused the request, or could not be reached
     *       with the fallback {@code FAIL};
     *   <li>{@link dev.kbsync.git.GitException} (its message masked): the KB's git remote could not be synced (cloned
     *       or fetched) once the KB was ours. {@link dev.kbsync.git.RemoteUnavailableException}: it cannot be reached
     *       for now (connection refused or timed out, HTTP 5xx, 408, 429): try again later; {@link
     *       dev.kbsync.git.RemoteNotFoundException}: an HTTP(S) remote answered 404 (check the URL, or that the
     *       credential can read it); {@link dev.kbsync.git.AuthFailedException} or {@link
     *       dev.kbsync.git.CredentialsUnavailableException}: fix the credential; a plain {@code GitException}
     *       otherwise (a local path with no repository, a full disk);
     *   <li>{@link IllegalArgumentException}: a KB not configured; {@link IllegalStateException}: this instance
     *       closed.
     * </ul>
     */
    public KbSession open(String kb, String operation) {
        return open(kb, operation, position -> {});
    }

    /** Like {@link #open(String, String)}; {@code onPosition} gets the number of operations ahead while waiting. */
    public KbSession open(String kb, String operation, IntConsumer onPosition) {
        requireOpen();
        KbConfig remote = Optional.ofNullable(config.kbs().get(kb))
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown KB '" + kb + "'; configured: " + config.kbs().keySet()));
        Optional<Lease> lease = leases.acquire(remote.id(), operation, config.lockTimeout(), onPosition);
        AtomicBoolean released = new AtomicBoolean();
        Runnable release =
                () -> lease.filter(l -> released.compareAndSet(false, true)).ifPresent(l -> leases.release(l.id()));
        Optional<LeaseKeeper> keeper = Optional.empty();
        try {
            // heartbeats from the grant on: the lease's event stream no longer keeps it during the local lock's wait
            keeper = lease.map(l -> new LeaseKeeper(vertx, client, modes, l));
            // at once: a grant made from the queue lapses by the waiter's keep-alive (a few seconds), long before the
            // keeper's first period (a third of the TTL)
            keeper.ifPresent(LeaseKeeper::renew);
            LocalKbLock.Handle local = lockWithin(remote, operation, lease, keeper, onPosition);
            try {
                requireOpen();
                keeper.ifPresent(k -> {
                    k.throwIfStopped();
                    k.doing("session " + operation + " open");
                });
                return register(session(remote, operation, lease, keeper, local, release));
            } catch (RuntimeException e) {
                local.close();
                throw e;
            }
        } catch (RuntimeException e) {
            keeper.ifPresent(LeaseKeeper::close);
            try {
                release.run();
            } catch (RuntimeException also) { // a client closed meanwhile: the lease lapses after its TTL
                e.addSuppressed(also);
            }
            throw e;
        }
    }

    /**
     * The KB's local lock, waited for at most the lock timeout, and with a lease no longer than the grant's deadline
     * allows (less the keeper's margin): past it the session could not push anyway. A lease lost meanwhile ends the
     * wait at once ({@link dev.kbsync.worker.run.UnitAbortedException}, {@code LEASE_LOST}).
     */
    private LocalKbLock.Handle lockWithin(
            KbConfig remote,
            String operation,
            Optional<Lease> lease,
            Optional<LeaseKeeper> keeper,
            IntConsumer onPosition) {
        Optional<Duration> untilStop = lease.flatMap(
                        l -> LeaseKeeper.untilStop(l, RunnerSettings.DEFAULT_DEADLINE_MARGIN))
                .filter(left -> left.compareTo(config.lockTimeout()) < 0);
        Duration wait =
                untilStop.map(left -> left.isNegative() ? Duration.ZERO : left).orElse(config.lockTimeout());
        try {
            return locks.acquire(
                    checkouts.lockDir(remote),
                    operation,
                    wait,
                    onPosition,
                    () -> keeper.ifPresent(LeaseKeeper::throwIfStopped));
        } catch (LockTimeoutException e) {
            throw KbBusyException.locallyLocked(
                    remote.id().value(),
                    untilStop.isEmpty()
                            ? e.getMessage()
                            : "the local lock stayed held until the lease's deadline "
                                    + lease.get().deadlineAt() + " (" + e.getMessage() + ")",
                    e);
        }
    }

    /**
     * The session, its checkout synced to the remote. A failure once {@link #close()} began (it closes the checkouts
     * for good, waiting for a sync under way: a checkout closed refuses to sync, a closed cache to hand one out) is
     * thrown as {@link #closedError}, its cause the failure.
     */
    private KbSession session(
            KbConfig remote,
            String operation,
            Optional<Lease> lease,
            Optional<LeaseKeeper> keeper,
            LocalKbLock.Handle local,
            Runnable release) {
        try {
            return new KbSession(
                    remote.id().value(),
                    operation,
                    new Author(operation, operation + "@" + config.emailDomain()),
                    lease,
                    keeper,
                    local,
                    checkouts.checkout(remote),
                    cycle,
                    ended -> {
                        sessions.remove(ended);
                        release.run();
                        checkouts.closeIdle(locks);
                    });
        } catch (RuntimeException e) {
            if (closed) {
                throw closedError(e);
            }
            throw e;
        }
    }

    /** Hands out {@code session}, unless {@link #close()} began meanwhile: then the session is closed, and this throws. */
    private KbSession register(KbSession session) {
        synchronized (sessions) {
            if (!closed) {
                sessions.add(session);
                return session;
            }
        }
        IllegalStateException refused = closedError(null);
        try {
            session.close();
        } catch (RuntimeException e) {
            refused.addSuppressed(e);
        }
        throw refused;
    }

    private void requireOpen() {
        if (closed) {
            throw closedError(null);
        }
    }

    private static IllegalStateException closedError(Throwable cause) {
        return new IllegalStateException("Kbsync closed: no session handed out", cause);
    }

    /** {@code coordinated} or {@code degraded}, as of the last coordinator call. */
    public String mode() {
        return modes.mode();
    }

    /**
     * Closes the sessions still open (their local locks and leases released), then the checkouts and the client. An
     * open under way then hands out no session: it throws {@link IllegalStateException}, its lock and lease released
     * (this waits for the fetch of an open that syncs its checkout, then closes that checkout). Every step is taken
     * even when an earlier one throws (a session's lease release, say); the first failure is thrown afterwards, the
     * later ones suppressed in it.
     */
    @Override
    public void close() {
        synchronized (sessions) {
            closed = true;
        }
        RuntimeException failure = null;
        for (KbSession session : List.copyOf(sessions)) {
            failure = attempt(session::close, failure);
        }
        failure = attempt(checkouts::close, failure);
        failure = attempt(client::close, failure);
        if (failure != null) {
            throw failure;
        }
    }

    /** Runs {@code step}; returns {@code earlier}, or what {@code step} threw (suppressed in {@code earlier}, if any). */
    private static RuntimeException attempt(Runnable step, RuntimeException earlier) {
        try {
            step.run();
            return earlier;
        } catch (RuntimeException e) {
            if (earlier == null) {
                return e;
            }
            earlier.addSuppressed(e);
            return earlier;
        }
    }
}
