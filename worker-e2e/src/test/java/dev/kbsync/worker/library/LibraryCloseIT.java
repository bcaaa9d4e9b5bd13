package dev.kbsync.worker.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.GitHttpServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Kbsync#close()} while another thread's {@link Kbsync#open} fetches the KB (a git remote over HTTPS whose
 * answer the test holds back): the open hands out no session and throws {@link IllegalStateException}, as documented,
 * and leaves nothing open behind it (no lock, no repository). And a close that fails for one session still closes the
 * others.
 */
class LibraryCloseIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private GitHttpServer git;
    private URI nobody;

    @BeforeEach
    void setUp() throws IOException {
        vertx = Vertx.vertx();
        GitFixture.bareRemote(tmp.resolve("remotes/lib.git"));
        git = new GitHttpServer(tmp.resolve("remotes"), password -> false);
        git.anonymousReads(true);
        try (ServerSocket free = new ServerSocket(0)) {
            nobody = URI.create("http://127.0.0.1:" + free.getLocalPort());
        }
    }

    @AfterEach
    void tearDown() {
        git.close();
        CoordinatorFixture.await(vertx.close());
    }

    /** The checkout is open (an earlier session cloned it): closing it under the open's fetch failed the open raw. */
    @Test
    void shouldRefuseAnOpenWhoseFetchIsUnderWayWhenClosed() throws Exception {
        Kbsync bot = bot();
        bot.open("lib", "earlier").close();

        assertRefusedWhenClosedDuringItsFetch(bot, "late");
    }

    /** The open clones the KB: the clone that ended after the close left its repository open. */
    @Test
    void shouldRefuseAnOpenWhoseFirstCloneIsUnderWayWhenClosedAndCloseItsRepository() throws Exception {
        assertRefusedWhenClosedDuringItsFetch(bot(), "first");
    }

    /**
     * A session's close throws (its lease's release: the bot closes its {@link Kbsync} on an event loop, where the
     * blocking client refuses to wait): the other session is closed all the same, its local lock released, and so are
     * the checkouts; the first failure is thrown.
     */
    @Test
    void shouldCloseEverySessionAndTheCheckoutsWhenOneSessionsCloseThrows() throws Exception {
        Map<String, String> remotes = Map.of(
                "one", GitFixture.bareRemote(tmp.resolve("one.git")),
                "two", GitFixture.bareRemote(tmp.resolve("two.git")));
        CoordinatorFixture coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), remotes);
        try {
            List<KbConfig> kbs = remotes.entrySet().stream()
                    .map(kb -> new KbConfig(KbId.of(kb.getKey()), kb.getValue(), "main"))
                    .toList();
            Kbsync bot = new Kbsync(
                    vertx,
                    KbsyncConfig.of(coordinator.url(), CoordinatorFixture.CLIENT_TOKEN, tmp.resolve("cache"), kbs),
                    Map.of());
            List<KbSession> sessions = List.of(bot.open("one", "first"), bot.open("two", "second"));
            assertThat(sessions).noneMatch(KbSession::degraded);

            CompletableFuture<Throwable> closed = new CompletableFuture<>();
            vertx.runOnContext(v -> closed.complete(catchThrowable(bot::close)));

            assertThat(closed.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("event loop");
            for (KbSession session : sessions) {
                assertThatThrownBy(() -> session.write("late.md", "late\n"))
                        .as("session of fence %s closed", session.fencingToken().orElseThrow())
                        .hasMessage("session closed");
            }
            for (String kb : remotes.keySet()) {
                assertNothingLeftOpen(kb);
            }
        } finally {
            coordinator.close();
        }
    }

    /**
     * Opens a session on {@code bot} while the remote holds its fetch back, closes {@code bot} meanwhile, then lets the
     * fetch go on: the open is refused as closed, the close returns, and nothing is left open.
     */
    private void assertRefusedWhenClosedDuringItsFetch(Kbsync bot, String operation) throws Exception {
        git.holdFetches();
        CompletableFuture<KbSession> opened = CompletableFuture.supplyAsync(() -> bot.open("lib", operation));
        await().atMost(Duration.ofSeconds(10)).until(() -> git.heldFetches() == 1);

        Thread closer = closeMeanwhile(bot);
        git.releaseFetches();

        assertRefusedAsClosed(opened);
        closer.join(30_000);
        assertThat(closer.isAlive()).as("close() returned").isFalse();
        assertNothingLeftOpen("lib");
    }

    /**
     * Calls {@code bot.close()} on a thread of its own and returns once that call ended or waits (for the held fetch, if
     * it waits for it at all): the fetch is let go only then.
     */
    private static Thread closeMeanwhile(Kbsync bot) {
        Thread closer = new Thread(bot::close, "closer");
        closer.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> closer.getState() != Thread.State.NEW && closer.getState() != Thread.State.RUNNABLE);
        return closer;
    }

    private static void assertRefusedAsClosed(CompletableFuture<KbSession> opened) {
        AtomicReference<KbSession> returned = new AtomicReference<>();
        Throwable refused = catchThrowable(() -> returned.set(opened.get(30, TimeUnit.SECONDS)));
        assertThat(refused)
                .as("refused, not returned: %s", returned.get())
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kbsync closed");
    }

    /** The KB's local lock is free, and no file of its checkout is open (its repository was closed). */
    private void assertNothingLeftOpen(String kb) throws IOException {
        Path lockDir = tmp.resolve("cache").resolve(kb);
        try (LocalKbLock.Handle next = LocalKbLock.shared().acquire(lockDir, "next", Duration.ZERO)) {
            assertThat(next.operation()).isEqualTo("next");
        }
        assertThat(openFilesUnder(lockDir.resolve("work/.git")))
                .as("files of the checkout's repository still open")
                .isEmpty();
    }

    /** The files under {@code dir} this JVM holds open (Linux: its {@code /proc/self/fd}). */
    private static List<Path> openFilesUnder(Path dir) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd");
        Path real = dir.toRealPath();
        try (Stream<Path> open = Files.list(fds)) {
            return open.map(fd -> {
                        try {
                            return Files.readSymbolicLink(fd);
                        } catch (IOException gone) { // closed meanwhile (the listing's own, say)
                            return null;
                        }
                    })
                    .filter(Objects::nonNull)
                    .filter(file -> file.startsWith(real))
                    .toList();
        }
    }

    private Kbsync bot() {
        return Bots.bot(vertx, nobody, tmp.resolve("cache"), git.url("lib.git"));
    }
}
