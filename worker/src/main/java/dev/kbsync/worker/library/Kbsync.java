package dev.kbsync.worker.library;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.Lease;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.git.Author;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LocalLockConfig;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.run.CheckoutCache;
import dev.kbsync.worker.run.LeaseKeeper;
import dev.kbsync.worker.run.PhaseListener;
import dev.kbsync.worker.run.PublishCycle;
import dev.kbsync.worker.run.PushRetry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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

    public Kbsync(Vertx vertx, KbsyncConfig config, Map<String, String> env) {
        this.vertx = vertx;
        this.config = config;
        this.client = KbsyncClient.create(vertx, config.clientOptions());
        this.modes = new ModeTracker(config.fallback());
        this.leases = new RawLeases(client, modes);
        this.checkouts = new CheckoutCache(
                config.cacheDir(),
                new CredentialResolver(CredentialSettings.unrestricted(), env, Clock.systemUTC())::forKb);
        this.locks = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());
        this.cycle = new PublishCycle(
                new PushRetry(config.pushRetries(), Duration.ofMillis(100)), PhaseListener.NONE, d -> {});
    }

    /** Opens a session on {@code kb}; blocks until the KB is ours. */
    public KbSession open(String kb, String operation) {
        return open(kb, operation, position -> {});
    }

    /** Like {@link #open(String, String)}; {@code onPosition} gets the number of operations ahead while waiting. */
    public KbSession open(String kb, String operation, IntConsumer onPosition) {
        KbConfig remote = Optional.ofNullable(config.kbs().get(kb))
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown KB '" + kb + "'; configured: " + config.kbs().keySet()));
        Optional<Lease> lease = leases.acquire(remote.id(), operation, config.lockTimeout(), onPosition);
        AtomicBoolean released = new AtomicBoolean();
        Runnable release =
                () -> lease.filter(l -> released.compareAndSet(false, true)).ifPresent(l -> leases.release(l.id()));
        try {
            LocalKbLock.Handle local =
                    locks.acquire(checkouts.lockDir(remote), operation, config.lockTimeout(), onPosition);
            Optional<LeaseKeeper> keeper = Optional.empty();
            try {
                keeper = lease.map(l -> new LeaseKeeper(vertx, client, modes, l));
                Author author = new Author(operation, operation + "@" + config.emailDomain());
                return new KbSession(
                        operation, author, lease, keeper, local, checkouts.checkout(remote), cycle, release);
            } catch (RuntimeException e) {
                keeper.ifPresent(LeaseKeeper::close);
                local.close();
                throw e;
            }
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    /** {@code coordinated} or {@code degraded}, as of the last coordinator call. */
    public String mode() {
        return modes.mode();
    }

    @Override
    public void close() {
        checkouts.close();
        client.close();
    }
}
