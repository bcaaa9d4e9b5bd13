package dev.kbsync.worker.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.git.GitException;
import dev.kbsync.git.RemoteUnavailableException;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LockTimeoutException;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.run.LeaseKeeper;
import dev.kbsync.worker.run.Outcome;
import dev.kbsync.worker.run.UnitAbortedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A session's lease in library mode, with a short TTL (3 s): kept while the bot is busy, stopped once lost; and what
 * {@link Kbsync#open} throws when the KB does not become the bot's, or its git remote cannot be synced (a typed error
 * per cause, nothing held after it).
 */
class LibraryLeaseIT {
    private static final Duration TTL = Duration.ofSeconds(3);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private CoordinatorFixture coordinator;
    private String remote;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        remote = GitFixture.bareRemote(tmp.resolve("lib.git"));
        coordinator = CoordinatorFixture.start(vertx, redis, TTL, Map.of("lib", remote));
    }

    @AfterEach
    void tearDown() {
        coordinator.close();
        CoordinatorFixture.await(vertx.close());
    }

    /**
     * A Vert.x bot opens sessions off its event loop, in {@code executeBlocking}: opens waiting for the KB fill its
     * worker pool, and the holder's heartbeats must still run, else its lease lapses under it.
     */
    @Test
    void shouldKeepTheHoldersLeaseWhileOpensWaitingForTheKbFillTheBotsWorkerPool() throws Exception {
        Vertx bot = Vertx.vertx(new VertxOptions().setWorkerPoolSize(2));
        try (Kbsync kbsync = kbsync(bot, "bot")) {
            List<Future<Boolean>> waiters;
            try (KbSession held = kbsync.open("lib", "holder")) {
                waiters = IntStream.range(0, 2)
                        .mapToObj(i -> bot.executeBlocking(
                                () -> {
                                    try (KbSession next = kbsync.open("lib", "waiter_" + i)) {
                                        return next.degraded();
                                    }
                                },
                                false))
                        .toList();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> coordinator
                                        .client()
                                        .queue(KbId.of("lib"))
                                        .waiters()
                                        .size()
                                == 2);
                Thread.sleep(TTL.multipliedBy(3).dividedBy(2).toMillis()); // the lease lives on its heartbeats alone

                held.write("held.md", "held\n");
                assertThat(held.commitAndPush("Add: held")).isInstanceOf(Outcome.Published.class);
            }
            for (Future<Boolean> waiter : waiters) {
                assertThat(CoordinatorFixture.await(waiter)).as("coordinated").isFalse();
            }
        } finally {
            CoordinatorFixture.await(bot.close());
        }
    }

    /**
     * A session whose lease was lost (force-released, then granted to another bot that pushed under a later fence) is
     * refused its push as the lease's loss, not as a stale fence found on the branch.
     */
    @Test
    void shouldRefuseThePushOfASessionWhoseLeaseWasLostAsLeaseLost() {
        ListAppender<ILoggingEvent> logs = watchLeaseKeeper();
        try (Kbsync first = kbsync(vertx, "first");
                Kbsync second = kbsync(vertx, "second");
                KbSession lost = first.open("lib", "lost")) {
            coordinator.forceRelease("lib");
            try (KbSession later = second.open("lib", "later")) {
                later.write("later.md", "later\n");
                assertThat(later.commitAndPush("Add: later")).isInstanceOf(Outcome.Published.class);
            }
            await().atMost(Duration.ofSeconds(10)) // the lost session's next heartbeat (every second) finds it lost
                    .until(() -> logs.list.stream()
                            .anyMatch(e -> e.getFormattedMessage().contains("stopping the unit")));

            lost.write("lost.md", "lost\n");
            AtomicReference<Outcome> returned = new AtomicReference<>();
            Throwable refused = catchThrowable(() -> returned.set(lost.commitAndPush("Add: lost")));
            assertThat(refused)
                    .as("refused, not returned: %s", returned.get())
                    .isInstanceOfSatisfying(
                            UnitAbortedException.class,
                            e -> assertThat(e.code()).isEqualTo(UnitAbortedException.LEASE_LOST));
        } finally {
            ((Logger) LoggerFactory.getLogger(LeaseKeeper.class)).detachAppender(logs);
        }
    }

    /** A lease lost while the open waits for the KB's local lock ends the wait at once, not when the lock frees. */
    @Test
    void shouldStopWaitingForTheLocalLockWhenTheLeaseIsLost() throws Exception {
        Path lockDir = Files.createDirectories(tmp.resolve("cache-waiting").resolve("lib"));
        try (Kbsync bot = kbsync(vertx, "waiting");
                LocalKbLock.Handle gc = LocalKbLock.shared().acquire(lockDir, "git_gc")) {
            CountDownLatch granted = new CountDownLatch(1);
            CompletableFuture<KbSession> opened = CompletableFuture.supplyAsync(() -> bot.open("lib", "waiting", p -> {
                if (p == 0) {
                    granted.countDown();
                }
            }));
            assertThat(granted.await(10, TimeUnit.SECONDS)).isTrue();
            coordinator.forceRelease("lib");

            assertThatThrownBy(() -> opened.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(UnitAbortedException.class)
                    .cause()
                    .satisfies(e ->
                            assertThat(((UnitAbortedException) e).code()).isEqualTo(UnitAbortedException.LEASE_LOST));
        }
    }

    /** Another session holds the KB past the bot's wait: busy, and the bot's place in the queue is given up. */
    @Test
    void shouldSayTheKbIsBusyWhenItIsNotGrantedWithinTheWait() {
        try (Kbsync holder = kbsync(vertx, "holder");
                Kbsync impatient = impatient("impatient");
                KbSession held = holder.open("lib", "holder")) {
            Throwable refused = catchThrowable(() -> impatient.open("lib", "impatient"));

            assertThat(refused)
                    .isInstanceOfSatisfying(
                            KbBusyException.class, e -> assertThat(e.kb()).isEqualTo("lib"))
                    .hasMessageContaining("not granted within 1000 ms")
                    .hasCauseInstanceOf(KbsyncException.TimedOut.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> queue().waiters().isEmpty());
        }
    }

    /** The KB's local lock stays held on this machine (a git gc, another process) past the bot's wait: busy too. */
    @Test
    void shouldSayTheKbIsBusyWhenItsLocalLockStaysHeldPastTheWait() throws Exception {
        Path lockDir = Files.createDirectories(tmp.resolve("cache-impatient").resolve("lib"));
        try (Kbsync impatient = impatient("impatient");
                LocalKbLock.Handle gc = LocalKbLock.shared().acquire(lockDir, "git_gc")) {
            Throwable refused = catchThrowable(() -> impatient.open("lib", "impatient"));

            assertThat(refused)
                    .isInstanceOfSatisfying(
                            KbBusyException.class, e -> assertThat(e.kb()).isEqualTo("lib"))
                    .hasMessageContaining("git_gc")
                    .hasCauseInstanceOf(LockTimeoutException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> queue().holder().isEmpty());
        }
    }

    /** A bot thread interrupted while its open waits: the client's Interrupted, the interrupt flag set again. */
    @Test
    void shouldEndAnInterruptedWaitWithTheClientsInterruptedAndTheFlagSet() throws Exception {
        try (Kbsync holder = kbsync(vertx, "holder");
                Kbsync waiting = kbsync(vertx, "waiting");
                KbSession held = holder.open("lib", "holder")) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagSet = new AtomicBoolean();
            Thread bot = new Thread(() -> {
                thrown.set(catchThrowable(() -> waiting.open("lib", "waiting")));
                flagSet.set(Thread.currentThread().isInterrupted());
            });
            bot.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> queue().waiters().size() == 1);
            bot.interrupt();
            bot.join(10_000);

            assertThat(thrown.get()).isInstanceOf(KbsyncException.Interrupted.class);
            assertThat(flagSet).as("interrupt flag set again").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> queue().waiters().isEmpty());
        }
    }

    /** The waiting lease ended on the coordinator (cancelled, expired): the client's LeaseLost. */
    @Test
    void shouldEndTheWaitWithLeaseLostWhenTheWaitingLeaseEnds() throws Exception {
        try (Kbsync holder = kbsync(vertx, "holder");
                Kbsync waiting = kbsync(vertx, "waiting");
                KbSession held = holder.open("lib", "holder")) {
            CompletableFuture<KbSession> opened = CompletableFuture.supplyAsync(() -> waiting.open("lib", "waiting"));
            await().atMost(Duration.ofSeconds(10)).until(() -> queue().waiters().size() == 1);
            QueueEntry waiter = queue().waiters().get(0);
            coordinator.client().release("lib~" + waiter.ticketId());

            Throwable refused = catchThrowable(() -> opened.get(10, TimeUnit.SECONDS));
            assertThat(refused).hasCauseInstanceOf(KbsyncException.LeaseLost.class);
        }
    }

    /**
     * The KB's git remote cannot be reached (nothing listens there): the sync's {@link RemoteUnavailableException} (a
     * {@link GitException}: try again later), the lease and the local lock released.
     */
    @Test
    void shouldThrowTheGitFailureWhenTheKbsRemoteCannotBeReached() throws Exception {
        String unreachable;
        try (ServerSocket free = new ServerSocket(0)) {
            unreachable = "https://127.0.0.1:" + free.getLocalPort() + "/lib.git";
        }

        assertOpenThrowsHoldingNothing(unreachable, RemoteUnavailableException.class);
    }

    /** The KB's git remote does not exist (a path with no repository): the sync's {@link GitException}, nothing held. */
    @Test
    void shouldThrowTheGitFailureWhenTheKbsRemoteIsMissing() throws Exception {
        assertOpenThrowsHoldingNothing(tmp.resolve("missing.git").toUri().toString(), GitException.class);
    }

    /** Opening a session on a bot whose KB {@code lib} is at {@code gitRemote} throws {@code type}; nothing is held. */
    private void assertOpenThrowsHoldingNothing(String gitRemote, Class<? extends GitException> type) throws Exception {
        Path cache = tmp.resolve("cache-offline");
        try (Kbsync bot = Bots.bot(vertx, coordinator.url(), cache, gitRemote)) {
            AtomicReference<KbSession> returned = new AtomicReference<>();
            Throwable refused = catchThrowable(() -> returned.set(bot.open("lib", "offline")));

            assertThat(refused).as("refused, not returned: %s", returned.get()).isInstanceOf(type);
            await().atMost(Duration.ofSeconds(5)).until(() -> queue().holder().isEmpty());
            try (LocalKbLock.Handle next = LocalKbLock.shared().acquire(cache.resolve("lib"), "next", Duration.ZERO)) {
                assertThat(next.operation()).isEqualTo("next");
            }
        }
    }

    private QueueSnapshot queue() {
        return coordinator.client().queue(KbId.of("lib"));
    }

    /** A bot that waits at most a second for the KB. */
    private Kbsync impatient(String name) {
        return Bots.bot(vertx, coordinator.url(), tmp.resolve("cache-" + name), remote, Duration.ofSeconds(1));
    }

    private static ListAppender<ILoggingEvent> watchLeaseKeeper() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(LeaseKeeper.class)).addAppender(logs);
        return logs;
    }

    private Kbsync kbsync(Vertx on, String name) {
        return Bots.bot(on, coordinator.url(), tmp.resolve("cache-" + name), remote);
    }
}
