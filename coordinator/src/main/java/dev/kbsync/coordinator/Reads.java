package dev.kbsync.coordinator;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.snapshot.FetchAuth;
import dev.kbsync.coordinator.snapshot.KbMirrors;
import dev.kbsync.coordinator.snapshot.LandingWatch;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;

/** The read snapshots: the KBs' mirrors and what tells them a job landed. */
record Reads(KbMirrors mirrors, LandingWatch landings) implements AutoCloseable {
    /** Reads running at once, all KBs together; one KB's take at most half of them ({@code KbMirrors}). */
    private static final int READ_THREADS = 8;

    static Reads start(Vertx vertx, CoordinatorConfig.Reads config, CoordinatorServices services) {
        AtomicReference<KbMirrors> mirrors = new AtomicReference<>();
        LandingWatch landings = new LandingWatch(
                vertx, () -> services.queues().watchers(), kb -> mirrors.get().landed(kb));
        mirrors.set(KbMirrors.start(
                config.mirrorDir(),
                config.refresh(),
                config.afterWait(),
                READ_THREADS,
                new FetchAuth(config.credentialDirs()),
                kb -> services.kbs().get(kb).toCompletionStage(),
                landings::watch,
                landings::unwatch));
        return new Reads(mirrors.get(), landings);
    }

    @Override
    public void close() {
        landings.close();
        mirrors.close();
    }
}
