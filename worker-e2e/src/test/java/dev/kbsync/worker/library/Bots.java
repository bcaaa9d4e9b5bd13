package dev.kbsync.worker.library;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Library-mode bots of the tests: one {@link Kbsync} on the KB {@code lib}, with a checkout cache of its own. */
final class Bots {
    private Bots() {}

    /** A bot coordinated through {@code coordinator} (one that is not listening: degraded), caching under {@code cache}. */
    static Kbsync bot(Vertx vertx, URI coordinator, Path cache, String remote) {
        return new Kbsync(vertx, config(coordinator, cache, remote), Map.of());
    }

    /** {@link #bot(Vertx, URI, Path, String)} waiting at most {@code wait} for the KB. */
    static Kbsync bot(Vertx vertx, URI coordinator, Path cache, String remote, Duration wait) {
        return new Kbsync(vertx, config(coordinator, cache, remote).withLockTimeout(wait), Map.of());
    }

    private static KbsyncConfig config(URI coordinator, Path cache, String remote) {
        return KbsyncConfig.of(
                coordinator,
                CoordinatorFixture.CLIENT_TOKEN,
                cache,
                List.of(new KbConfig(KbId.of("lib"), remote, "main")));
    }
}
