package dev.kbsync.worker.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbId;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.run.Outcome;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Library mode against a real coordinator: sessions on one KB are serialized with queue positions and fences. */
class LibraryIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private CoordinatorFixture coordinator;
    private Path bare;
    private String remote;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        bare = tmp.resolve("lib.git");
        remote = GitFixture.bareRemote(bare);
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("lib", remote));
    }

    @AfterEach
    void tearDown() {
        coordinator.close();
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldSerializeTwoBotsAndReportTheQueuePosition() throws Exception {
        try (Kbsync first = kbsync("bot-1");
                Kbsync second = kbsync("bot-2")) {
            List<Integer> positions = new CopyOnWriteArrayList<>();
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Outcome> later;
            try (KbSession session = first.open("lib", "create_note_user_1")) {
                assertThat(session.degraded()).isFalse();
                later = CompletableFuture.supplyAsync(() -> {
                    try (KbSession next = second.open("lib", "create_note_user_2", p -> {
                        positions.add(p);
                        waiting.countDown();
                    })) {
                        assertThat(next.checkout().resolve("one.md")).exists();
                        next.write("two.md", "second\n");
                        return next.commitAndPush("Add: two");
                    }
                });
                assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
                session.write("one.md", "first\n");
                assertThat(session.commitAndPush("Add: one")).isInstanceOf(Outcome.Published.class);
            }
            assertThat(later.get(60, TimeUnit.SECONDS)).isInstanceOf(Outcome.Published.class);
            assertThat(positions).startsWith(1).endsWith(0);
        }
        List<RevCommit> history = GitFixture.history(bare);
        assertThat(history)
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: two", "Add: one", "Initial commit");
        assertThat(Long.parseLong(GitFixture.trailers(history.get(0)).get("Kbsync-Fence")))
                .isGreaterThan(
                        Long.parseLong(GitFixture.trailers(history.get(1)).get("Kbsync-Fence")));
    }

    @Test
    void shouldRefusePathsOutsideTheKb() {
        try (Kbsync bot = kbsync("bot-3");
                KbSession session = bot.open("lib", "create_note_user_3")) {
            assertThatThrownBy(() -> session.write("../escape.md", "x")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> session.write(".git/config", "x")).isInstanceOf(InvalidInputException.class);
            assertThat(Files.exists(tmp.resolve("escape.md"))).isFalse();
        }
    }

    /** git would not commit a file the KB's .gitignore excludes: refused at once, as a note there is, never dropped. */
    @Test
    void shouldRefuseAWriteToAPathTheKbsGitignoreExcludes() {
        GitFixture.pushDirectly(remote, tmp.resolve("seed"), ".gitignore", "drafts/\n");
        try (Kbsync bot = kbsync("bot-9");
                KbSession session = bot.open("lib", "draft")) {
            assertThatThrownBy(() -> session.write("drafts/plan.md", "plan\n"))
                    .isInstanceOfSatisfying(
                            InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo("INVALID_PATH"))
                    .hasMessageContaining(".gitignore");
            assertThat(session.checkout().resolve("drafts/plan.md")).doesNotExist();
        }
    }

    @Test
    void shouldKeepTheLeaseWhileWaitingForTheLocalLockLongerThanTheTtl() throws Exception {
        Path lockDir = Files.createDirectories(tmp.resolve("cache-bot-4").resolve("lib"));
        try (Kbsync bot = kbsync("bot-4")) {
            CompletableFuture<KbSession> opened;
            try (LocalKbLock.Handle gc = LocalKbLock.shared().acquire(lockDir, "git_gc")) {
                opened = CompletableFuture.supplyAsync(() -> bot.open("lib", "create_note_user_4"));
                Thread.sleep(13_000); // longer than the fixture's 10 s lease TTL
                assertThat(opened).isNotDone();
            }
            try (KbSession session = opened.get(30, TimeUnit.SECONDS)) {
                assertThat(session.degraded()).isFalse();
                session.write("four.md", "fourth\n");
                assertThat(session.commitAndPush("Add: four")).isInstanceOf(Outcome.Published.class);
            }
        }
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .startsWith("Add: four");
    }

    @Test
    void shouldReleaseTheWaitingLeaseWhenThePositionCallbackThrows() {
        try (Kbsync first = kbsync("bot-5");
                Kbsync second = kbsync("bot-6");
                KbSession held = first.open("lib", "holder")) {
            assertThatThrownBy(() -> second.open("lib", "impatient", position -> {
                        if (position > 0) {
                            throw new IllegalStateException("the bot gave up");
                        }
                    }))
                    .hasMessage("the bot gave up");
            // released at once, not left to lapse (lease.waiterTtlSeconds, 4 s)
            await().atMost(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(
                                    coordinator.client().queue(KbId.of("lib")).waiters())
                            .isEmpty());
        }
    }

    /**
     * A lease granted from the queue lapses by its waiter keep-alive (lease.waiterTtlSeconds, 4 s) unless heartbeaten
     * by then; with the default 30 s TTL the session's periodic heartbeats come only every 10 s, so the session beats
     * once as soon as it is granted.
     */
    @Test
    void shouldKeepALeaseGrantedFromTheQueueWhenItsTtlIsLongerThanTheWaiterTtl() throws Exception {
        CoordinatorFixture longer =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(30), Map.of("lib", remote));
        try (Kbsync first = kbsync("bot-7", longer);
                Kbsync second = kbsync("bot-8", longer)) {
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Outcome> later;
            try (KbSession held = first.open("lib", "holder")) {
                later = CompletableFuture.supplyAsync(() -> {
                    try (KbSession next = second.open("lib", "queued", position -> waiting.countDown())) {
                        Thread.sleep(6_000); // past the waiter keep-alive its grant started from
                        next.write("seven.md", "seventh\n");
                        return next.commitAndPush("Add: seven");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(later.get(60, TimeUnit.SECONDS)).isInstanceOf(Outcome.Published.class);
        } finally {
            longer.close();
        }
    }

    private Kbsync kbsync(String name) {
        return kbsync(name, coordinator);
    }

    private Kbsync kbsync(String name, CoordinatorFixture at) {
        return Bots.bot(vertx, at.url(), tmp.resolve("cache-" + name), remote);
    }
}
