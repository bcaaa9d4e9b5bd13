package dev.kbsync.worker.run;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.GitAuth;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LockTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkouts of this host under one cache dir: {@code <cache>/<kb>/work}. The directory {@code <cache>/<kb>} is the
 * key of the KB's local lock, so wiping the work tree never touches the lock file.
 *
 * <p>Each checkout object holds an open repository (pack handles, caches) and the KB's case index, so at most
 * {@code maxOpen} are kept: {@link #closeIdle} closes the least recently used beyond that bound, each under its KB's
 * local lock taken without waiting (a checkout in use is never closed). A closed KB's work tree stays on disk; its next
 * job opens it again (and, having no clean mark, resets it fully).
 */
public final class CheckoutCache implements AutoCloseable {
    /** The default bound of open checkouts. */
    public static final int DEFAULT_MAX_OPEN = 64;

    private static final Logger log = LoggerFactory.getLogger(CheckoutCache.class);

    private final Path root;
    private final CacheDisk disk;
    private final Function<KbConfig, GitAuth> auth;
    private final int maxOpen;
    /** In access order: the least recently used first. Guarded by {@code this}. */
    private final LinkedHashMap<KbId, Entry> checkouts = new LinkedHashMap<>(16, 0.75f, true);
    /** Set by {@link #close()}; guarded by {@code this}. */
    private boolean closed;

    /** {@code auth} gives a KB's credential source (asked before every clone, fetch and push). */
    public CheckoutCache(Path root, Function<KbConfig, GitAuth> auth) {
        this(root, auth, DEFAULT_MAX_OPEN);
    }

    /** {@code maxOpen}: how many checkouts {@link #closeIdle} keeps open (at least 1). */
    public CheckoutCache(Path root, Function<KbConfig, GitAuth> auth, int maxOpen) {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("maxOpen must be at least 1, got " + maxOpen);
        }
        this.root = root;
        this.disk = new CacheDisk(root);
        this.auth = auth;
        this.maxOpen = maxOpen;
    }

    /** The disk the checkouts are on. */
    public CacheDisk disk() {
        return disk;
    }

    /** The directory whose local lock serializes work on {@code kb} on this host (created if missing). */
    public Path lockDir(KbConfig kb) {
        try {
            return Files.createDirectories(root.resolve(kb.id().value()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the checkout directory of " + kb.id(), e);
        }
    }

    /**
     * The KB's checkout; use it only while holding the lock on {@link #lockDir}. A KB registered anew (another remote,
     * branch or credential) gets a new checkout object; the old one is closed. Throws {@link IllegalStateException}
     * once this cache is closed.
     */
    public KbCheckout checkout(KbConfig kb) {
        Path lockDir = lockDir(kb);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("checkout cache " + root + " is closed");
            }
            Entry old = checkouts.get(kb.id());
            if (old != null && old.kb().equals(kb)) {
                return old.checkout();
            }
            if (old != null) {
                old.checkout().close();
            }
            Entry fresh =
                    new Entry(kb, new KbCheckout(kb.remote(), kb.branch(), lockDir.resolve("work"), auth.apply(kb)));
            checkouts.put(kb.id(), fresh);
            return fresh.checkout();
        }
    }

    /** The KBs whose checkouts are open, the least recently used first. */
    public synchronized List<KbId> open() {
        return List.copyOf(checkouts.keySet());
    }

    /**
     * Closes the least recently used checkouts beyond the bound, each under its KB's local lock taken without waiting:
     * one whose lock is held (in use here or by another process on this cache) is skipped and stays open.
     */
    public void closeIdle(LocalKbLock locks) {
        for (Entry victim : beyondBound()) {
            try (LocalKbLock.Handle held = locks.acquire(lockDir(victim.kb()), "close idle checkout", Duration.ZERO)) {
                synchronized (this) {
                    // used since it was picked (it is among the recent now), or replaced: leave it
                    if (!beyondBound().contains(victim)) {
                        continue;
                    }
                    checkouts.remove(victim.kb().id());
                }
                victim.checkout().close();
                log.debug(
                        "closed the idle checkout of {} (more than {} open)",
                        victim.kb().id(),
                        maxOpen);
            } catch (LockTimeoutException busy) {
                log.debug(
                        "idle checkout of {} kept open: its local lock is held",
                        victim.kb().id());
            } catch (RuntimeException e) {
                log.warn(
                        "could not close the idle checkout of {}: {}",
                        victim.kb().id(),
                        e.getMessage());
            }
        }
    }

    /** The least recently used entries beyond the bound (iterating does not change the access order). */
    private synchronized List<Entry> beyondBound() {
        List<Entry> eldest = new ArrayList<>();
        int beyond = checkouts.size() - maxOpen;
        for (Entry e : checkouts.values()) {
            if (eldest.size() >= beyond) {
                break;
            }
            eldest.add(e);
        }
        return eldest;
    }

    /**
     * Closes every checkout for good ({@link KbCheckout#retire()}: a sync under way on another thread is waited for, and
     * a checkout handed out before refuses later syncs), and refuses later {@link #checkout} calls.
     */
    @Override
    public void close() {
        List<Entry> open;
        synchronized (this) {
            closed = true;
            open = List.copyOf(checkouts.values());
        }
        open.forEach(e -> e.checkout().retire());
    }

    private record Entry(KbConfig kb, KbCheckout checkout) {}
}
