package dev.kbsync.worker.run;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.GitAuth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The checkouts of this host under one cache dir: {@code <cache>/<kb>/work}. The directory {@code <cache>/<kb>} is the
 * key of the KB's local lock, so wiping the work tree never touches the lock file.
 */
public final class CheckoutCache implements AutoCloseable {
    private final Path root;
    private final CacheDisk disk;
    private final Function<KbConfig, GitAuth> auth;
    private final Map<KbId, Entry> checkouts = new ConcurrentHashMap<>();

    /** {@code auth} gives a KB's credential source (asked before every clone, fetch and push). */
    public CheckoutCache(Path root, Function<KbConfig, GitAuth> auth) {
        this.root = root;
        this.disk = new CacheDisk(root);
        this.auth = auth;
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
     * branch or credential) gets a new checkout object; the old one is closed.
     */
    public KbCheckout checkout(KbConfig kb) {
        return checkouts
                .compute(kb.id(), (id, old) -> {
                    if (old != null && old.kb().equals(kb)) {
                        return old;
                    }
                    if (old != null) {
                        old.checkout().close();
                    }
                    return new Entry(
                            kb,
                            new KbCheckout(kb.remote(), kb.branch(), lockDir(kb).resolve("work"), auth.apply(kb)));
                })
                .checkout();
    }

    @Override
    public void close() {
        checkouts.values().forEach(e -> e.checkout().close());
    }

    private record Entry(KbConfig kb, KbCheckout checkout) {}
}
