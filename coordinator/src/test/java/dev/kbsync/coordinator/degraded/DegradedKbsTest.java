package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.service.KbQuota;
import dev.kbsync.coordinator.service.KbRegistration;
import dev.kbsync.coordinator.service.KbRegistry;
import dev.kbsync.coordinator.service.KbRemoval;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Degraded mode's known KBs synced with the registry's list: a KB it no longer lists was removed unheard of and is
 * refused as removed; a listed one is known; a KB learnt or forgotten while the list was read keeps what it learnt.
 */
class DegradedKbsTest {
    private static final KbConfig KEPT = kb("kept");
    private static final KbConfig GONE = kb("gone");
    private static final KbConfig NEW = kb("new");

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final WorkerExecutor executor = vertx.createSharedWorkerExecutor("degraded-kbs-test", 1);

    @AfterEach
    void close() {
        // the known KBs' writes queued on the one thread end first: closed under one, it is interrupted and its
        // failure is reported on a closed event loop (a stray uncaught exception in the test JVM)
        DegradedMode.onJournal(executor, () -> null).await();
        executor.close();
        vertx.close().await();
    }

    @Test
    void shouldForgetAKbTheRegistryNoLongerListsAndKnowOneItLists() {
        DegradedKbs kbs = new DegradedKbs(executor, dir);
        kbs.startWith(List.of(GONE), List.of(KEPT));

        kbs.sync(new Listing(Future.succeededFuture(List.of(KEPT, NEW)))).await();

        assertThat(List.of(kbs.knows(KEPT.id()), kbs.knows(NEW.id()), kbs.knows(GONE.id()), kbs.removed(GONE.id())))
                .containsExactly(true, true, false, true);
    }

    /**
     * A removal takes its KB off the list just before the step that removes it (and puts it back if the KB is in use):
     * a KB the list lacks while its registration was just confirmed in its slot is kept, not taken for removed.
     */
    @Test
    void shouldKeepAKbTheListLacksWhileItsRegistrationIsConfirmed() {
        DegradedKbs kbs = new DegradedKbs(executor, dir);
        kbs.startWith(List.of(), List.of(KEPT, GONE));

        kbs.sync(new Listing(Future.succeededFuture(List.of(KEPT))), List.of(KEPT.id(), GONE.id()))
                .await();

        assertThat(List.of(kbs.knows(GONE.id()), kbs.removed(GONE.id()))).containsExactly(true, false);
        assertThat(kbs.lists(List.of(KEPT.id(), GONE.id()))).isTrue();
    }

    @Test
    void shouldKeepWhatWasLearntWhileTheListWasRead() {
        DegradedKbs kbs = new DegradedKbs(executor, dir);
        kbs.startWith(List.of(), List.of(KEPT, GONE));
        Promise<List<KbConfig>> listed = Promise.promise();
        Future<Void> synced = kbs.sync(new Listing(listed.future()));

        kbs.known(NEW); // registered here after the list was read
        kbs.forget(KEPT.id()); // removed here after the list was read
        listed.complete(List.of(KEPT, GONE));
        synced.await();

        assertThat(List.of(kbs.knows(NEW.id()), kbs.knows(KEPT.id()), kbs.removed(KEPT.id()), kbs.knows(GONE.id())))
                .containsExactly(true, false, true, true);
    }

    @Test
    void shouldKeepTheKnownKbsWhenTheListCannotBeRead() {
        DegradedKbs kbs = new DegradedKbs(executor, dir);
        kbs.startWith(List.of(), List.of(KEPT));

        assertThat(kbs.sync(new Listing(Future.failedFuture("Redis went away"))).failed())
                .isTrue();
        assertThat(kbs.knows(KEPT.id())).isTrue();
    }

    private static KbConfig kb(String id) {
        return new KbConfig(KbId.of(id), "/srv/git/" + id + ".git", "main");
    }

    /** A registry that only lists: what it lists is the test's. */
    private record Listing(Future<List<KbConfig>> list) implements KbRegistry {
        @Override
        public Future<KbConfig> register(KbConfig kb) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<KbRegistration> register(KbConfig kb, KbQuota quota) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Optional<KbConfig>> get(KbId id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<KbRemoval> remove(KbId id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void whenRemoved(Consumer<KbId> onRemoved) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void whenRemovalsUnheard(Runnable onUnheard) {
            throw new UnsupportedOperationException();
        }
    }
}
