package dev.kbsync.worker.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.run.Outcome;
import dev.kbsync.worker.run.UnitAbortedException;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Library mode given two coordinators on one Redis: with the preferred one stopped, a session is coordinated through
 * the other one (not degraded to the local lock), and its commit carries a fencing token above the one granted while
 * both were up.
 */
class LibraryFailoverIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Path bare;
    private String remote;
    private Map<String, String> kbs;
    private Vertx vertxA;
    private Vertx vertxB;
    private Vertx vertxBot;

    @BeforeEach
    void setUp() {
        bare = tmp.resolve("lib.git");
        remote = GitFixture.bareRemote(bare);
        kbs = Map.of("lib", remote);
        vertxA = Vertx.vertx();
        vertxB = Vertx.vertx();
        vertxBot = Vertx.vertx();
    }

    @AfterEach
    void tearDown() {
        CoordinatorFixture.await(vertxBot.close());
        CoordinatorFixture.await(vertxB.close());
        CoordinatorFixture.await(vertxA.close());
    }

    @Test
    void shouldCoordinateThroughTheSecondCoordinatorWhenTheFirstIsStopped() {
        CoordinatorFixture a = CoordinatorFixture.startOn(vertxA, redis, Duration.ofSeconds(10), kbs, "coord-a", 0);
        CoordinatorFixture b = CoordinatorFixture.startOn(vertxB, redis, Duration.ofSeconds(10), kbs, "coord-b", 0);
        List<URI> both = List.of(a.url(), b.url());
        KbsyncConfig config = KbsyncConfig.of(
                both,
                CoordinatorFixture.CLIENT_TOKEN,
                tmp.resolve("cache"),
                List.of(new KbConfig(KbId.of("lib"), remote, "main")));
        try (Kbsync bot = new Kbsync(vertxBot, config, Map.of())) {
            publish(bot, "one.md", "Add: one");
            a.close();
            CoordinatorFixture.await(vertxA.close());

            assertThat(publish(bot, "two.md", "Add: two"))
                    .as("coordinated through coord-b, not the local lock")
                    .isFalse();
            assertThat(bot.mode()).isEqualTo("coordinated");
        } finally {
            b.close();
        }
        List<RevCommit> history = GitFixture.history(bare);
        assertThat(history)
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: two", "Add: one", "Initial commit");
        assertThat(fence(history.get(0))).isGreaterThan(fence(history.get(1)));
    }

    @Test
    void shouldFollowAWaitingLeaseOnTheSecondCoordinatorWhenTheFirstStopsDuringTheWait() throws Exception {
        CoordinatorFixture a = CoordinatorFixture.startOn(vertxA, redis, Duration.ofSeconds(10), kbs, "coord-a", 0);
        CoordinatorFixture b = CoordinatorFixture.startOn(vertxB, redis, Duration.ofSeconds(10), kbs, "coord-b", 0);
        List<KbConfig> lib = List.of(new KbConfig(KbId.of("lib"), remote, "main"));
        KbsyncConfig both = KbsyncConfig.of(
                List.of(a.url(), b.url()), CoordinatorFixture.CLIENT_TOKEN, tmp.resolve("cache-bot"), lib);
        KbsyncConfig onB =
                KbsyncConfig.of(List.of(b.url()), CoordinatorFixture.CLIENT_TOKEN, tmp.resolve("cache-holder"), lib);
        try (Kbsync holder = new Kbsync(vertxBot, onB, Map.of());
                Kbsync bot = new Kbsync(vertxBot, both, Map.of())) {
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Boolean> later;
            try (KbSession held = holder.open("lib", "holder")) {
                later = CompletableFuture.supplyAsync(() -> {
                    try (KbSession session = bot.open("lib", "bot", position -> {
                        if (position > 0) {
                            waiting.countDown();
                        }
                    })) {
                        session.write("two.md", "Add: two\n");
                        assertThat(session.commitAndPush("Add: two")).isInstanceOf(Outcome.Published.class);
                        return session.degraded();
                    }
                });
                assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
                a.close(); // the bot's lease waits on coord-a's event stream
                CoordinatorFixture.await(vertxA.close());
                Thread.sleep(500);
                held.write("one.md", "Add: one\n");
                assertThat(held.commitAndPush("Add: one")).isInstanceOf(Outcome.Published.class);
            }
            assertThat(later.get(60, TimeUnit.SECONDS))
                    .as("followed on coord-b, not degraded to the local lock")
                    .isFalse();
        } finally {
            b.close();
        }
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: two", "Add: one", "Initial commit");
    }

    /**
     * The coordinator the bot moves to does not take the bot's token (set up with other tokens): the session's pre-push
     * heartbeat is refused there (401), so the grant can be neither confirmed nor kept. The push is stopped as the
     * lease's loss ({@link UnitAbortedException}, {@code LEASE_LOST}), as documented, not thrown as the bare
     * {@link IllegalStateException} a closed session throws; nothing is pushed.
     */
    @Test
    void shouldStopThePushAsLeaseLostWhenTheNextCoordinatorRefusesTheHeartbeat() {
        CoordinatorFixture a = CoordinatorFixture.startOn(vertxA, redis, Duration.ofSeconds(10), kbs, "coord-a", 0);
        CoordinatorFixture b = CoordinatorFixture.start(
                vertxB,
                redis,
                Duration.ofSeconds(10),
                kbs,
                Map.of(
                        "KBSYNC_COORDINATOR_ID",
                        "coord-b",
                        "KBSYNC_TOKENS",
                        "worker:" + CoordinatorFixture.WORKER_TOKEN + ",client:other-client-token-0123456789"));
        KbsyncConfig config = KbsyncConfig.of(
                List.of(a.url(), b.url()),
                CoordinatorFixture.CLIENT_TOKEN,
                tmp.resolve("cache"),
                List.of(new KbConfig(KbId.of("lib"), remote, "main")));
        try (Kbsync bot = new Kbsync(vertxBot, config, Map.of());
                KbSession session = bot.open("lib", "bot")) {
            assertThat(session.degraded()).isFalse();
            session.write("one.md", "one\n");
            a.close();
            CoordinatorFixture.await(vertxA.close());

            AtomicReference<Outcome> returned = new AtomicReference<>();
            Throwable stopped = catchThrowable(() -> returned.set(session.commitAndPush("Add: one")));

            assertThat(stopped)
                    .as("stopped, not returned: %s", returned.get())
                    .isInstanceOfSatisfying(
                            UnitAbortedException.class,
                            e -> assertThat(e.code()).isEqualTo(UnitAbortedException.LEASE_LOST))
                    .hasMessageContaining("UNAUTHENTICATED");
        } finally {
            b.close();
        }
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Initial commit");
    }

    /** Writes one file in a session; returns whether the session was degraded. */
    private static boolean publish(Kbsync bot, String file, String message) {
        try (KbSession session = bot.open("lib", "bot")) {
            session.write(file, message + "\n");
            assertThat(session.commitAndPush(message)).isInstanceOf(Outcome.Published.class);
            return session.degraded();
        }
    }

    private static long fence(RevCommit commit) {
        return Long.parseLong(GitFixture.trailers(commit).get("Kbsync-Fence"));
    }
}
