package dev.kbsync.worker.run;

import dev.kbsync.api.KbConfig;
import dev.kbsync.git.GitCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The checkouts of this host under one cache dir: {@code <cache>/<kb>/work}. The directory {@code <cache>/<kb>} is the
 * key of the KB's local lock, so wiping the work tree never touches the lock file.
 */
public final class CheckoutCache implements AutoCloseable {
    private final Path root;
    private final Function<String, Optional<GitCredentials>> credentials;
    private final Map<KbConfig, KbCheckout> checkouts = new ConcurrentHashMap<>();

    /** {@code credentials} maps a remote URL to the credentials to use for it. */
    public CheckoutCache(Path root, Function<String, Optional<GitCredentials>> credentials) {
        this.root = root;
        this.credentials = credentials;
    }

    /** The directory whose local lock serializes work on {@code kb} on this host (created if missing). */
    public Path lockDir(KbConfig kb) {
        try {
            return Files.createDirectories(root.resolve(kb.id().value()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the checkout directory of " + kb.id(), e);
        }
    }

    /** The KB's checkout; use it only while holding the lock on {@link #lockDir}. */
    public KbCheckout checkout(KbConfig kb) {
        return checkouts.computeIfAbsent(
                kb,
                k -> new KbCheckout(k.remote(), k.branch(), lockDir(k).resolve("work"), credentials.apply(k.remote())));
    }

    @Override
    public void close() {
        checkouts.values().forEach(KbCheckout::close);
    }
}
