package dev.kbsync.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKbLockTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofMillis(200);

    @TempDir
    Path root;

    private final LocalKbLock locks = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void shouldBeOneManagerPerProcess() {
        assertThat(LocalKbLock.shared()).isSameAs(LocalKbLock.shared());
    }

    @Test
    void shouldMapTwoPathsOfOneKbToOneLock() throws Exception {
        Path kb = kb("team");
        Path link = Files.createSymbolicLink(root.resolve("alias"), kb);
        try (LocalKbLock.Handle held = locks.acquire(kb, "create_note_user_7", LONG)) {
            assertThat(held.kb()).isEqualTo(kb.toRealPath());
            assertThat(locks.lockFile(link)).isEqualTo(locks.lockFile(kb));
            assertThat(locks.holder(link)).map(LockHolder::operation).contains("create_note_user_7");
            assertThatThrownBy(() -> locks.acquire(link, "create_note_user_42", SHORT))
                    .isInstanceOf(LockTimeoutException.class);
        }
    }

    @Test
    void shouldLetGoOfTheFileLockWhenItsHolderRecordCannotBeWritten() throws Exception {
        Path kb = kb("team");
        Path lockFile = locks.lockFile(kb);
        Path holder = lockFile.resolveSibling(lockFile.getFileName() + ".holder");
        Files.createDirectories(holder.resolve("in-the-way")); // a holder record that cannot be replaced

        assertThatThrownBy(() -> locks.acquire(kb, "first", SHORT)).isNotInstanceOf(LockTimeoutException.class);

        Files.delete(holder.resolve("in-the-way"));
        Files.delete(holder);
        try (LocalKbLock.Handle held = locks.acquire(kb, "next", Duration.ofMillis(500))) {
            assertThat(held.operation()).isEqualTo("next");
        }
    }

    /**
     * A holder record that cannot be deleted at release (a lock directory turned read-only or immutable, an I/O error:
     * here a directory in its place) does not make {@code close()} throw: the OS lock is released all the same, and
     * the next operation gets the lock once the record can be replaced.
     */
    @Test
    void shouldReleaseTheFileLockWhenItsHolderRecordCannotBeDeleted() throws Exception {
        Path kb = kb("team");
        Path lockFile = locks.lockFile(kb);
        Path holder = lockFile.resolveSibling(lockFile.getFileName() + ".holder");
        LocalKbLock.Handle held = locks.acquire(kb, "first", SHORT);
        Files.delete(holder);
        Files.createDirectories(holder.resolve("in-the-way"));

        held.close();

        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            assertThat(lock).as("the OS lock on %s, free again", lockFile).isNotNull();
        }
        Files.delete(holder.resolve("in-the-way"));
        Files.delete(holder);
        try (LocalKbLock.Handle next = locks.acquire(kb, "next", Duration.ZERO)) {
            assertThat(next.operation()).isEqualTo("next");
        }
    }

    /** A waiter's check ends its wait at once, whatever its timeout, by what it throws; nothing stays queued. */
    @Test
    void shouldEndTheWaitWhenItsCheckThrows() throws Exception {
        Path kb = kb("team");
        AtomicReference<RuntimeException> stop = new AtomicReference<>();
        try (LocalKbLock.Handle held = locks.acquire(kb, "holder", LONG)) {
            Future<LocalKbLock.Handle> waiter = pool.submit(() -> locks.acquireWithin(kb, "waiter", LONG, () -> {
                if (stop.get() != null) {
                    throw stop.get();
                }
            }));
            await().atMost(LONG).until(() -> locks.waiting(kb) == 1);

            stop.set(new IllegalStateException("lease lost"));

            assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasCause(stop.get());
            assertThat(locks.waiting(kb)).isZero();
        }
        locks.acquire(kb, "next", Duration.ZERO).close();
    }

    /**
     * A waiter whose position callback fails with an {@link Error} (an assertion, a library's own) leaves the queue as
     * one whose check throws does: its ticket left behind would have reached the head and held the KB on this host
     * until the process ended (every later acquisition timed out).
     */
    @Test
    void shouldLeaveTheQueueWhenThePositionCallbackThrowsAnError() throws Exception {
        Path kb = kb("team");
        try (LocalKbLock.Handle held = locks.acquire(kb, "holder", LONG)) {
            Future<LocalKbLock.Handle> waiter = pool.submit(() -> locks.acquire(kb, "waiter", LONG, position -> {
                throw new AssertionError("a callback that fails");
            }));

            assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(AssertionError.class);
            assertThat(locks.waiting(kb)).isZero();
        }
        locks.acquire(kb, "next", SHORT).close();
    }

    /** The same when the legacy lock file cannot be excluded from git (its .git/info/exclude is in the way). */
    @Test
    void shouldLetGoOfTheFileLockWhenTheLegacyLockCannotBeExcluded() throws Exception {
        Path kb = kb("legacy");
        Files.writeString(kb.resolve(LockFileLocation.LEGACY), "");
        Path exclude = Files.createDirectories(kb.resolve(".git/info/exclude/in-the-way"));

        assertThatThrownBy(() -> locks.acquire(kb, "first", SHORT)).isNotInstanceOf(LockTimeoutException.class);

        Files.delete(exclude);
        Files.delete(exclude.getParent());
        try (LocalKbLock.Handle held = locks.acquire(kb, "next", Duration.ofMillis(500))) {
            assertThat(held.operation()).isEqualTo("next");
        }
    }

    @Test
    void shouldRunTheBlockAndReleaseAfterwards() {
        Path kb = kb("team");
        AtomicInteger runs = new AtomicInteger();
        try (LocalKbLock.Handle held = locks.acquire(kb, "op")) {
            assertThat(held.operation()).isEqualTo("op");
            runs.incrementAndGet();
        }
        assertThat(runs).hasValue(1);
        assertThat(locks.holder(kb)).isEmpty();
        locks.acquire(kb, "again", Duration.ZERO).close();
    }

    @Test
    void shouldNeverInterleaveTwoOperationsOnOneKb() throws Exception {
        Path kb = kb("team");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String op = "op" + t;
            tasks.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    try (LocalKbLock.Handle held = locks.acquire(kb, op, LONG)) {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        assertThat(held.operation()).isEqualTo(op);
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> task : tasks) {
            task.get(60, TimeUnit.SECONDS);
        }
        assertThat(maxInside).hasValue(1);
        assertThat(locks.stats(kb).count()).isEqualTo(100);
    }

    @Test
    void shouldRunTwoKbsConcurrently() throws Exception {
        Path a = kb("a");
        Path b = kb("b");
        try (LocalKbLock.Handle heldA = locks.acquire(a, "on_a", LONG)) {
            assertThat(heldA.kb().getFileName()).hasToString("a");
            pool.submit(() -> locks.acquire(b, "on_b", Duration.ZERO).close()).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldPropagateAnExceptionAndLeaveTheLockFree() {
        Path kb = kb("team");
        assertThatThrownBy(() -> {
                    try (LocalKbLock.Handle held = locks.acquire(kb, "failing", LONG)) {
                        throw new IllegalStateException("boom in " + held.operation());
                    }
                })
                .hasMessage("boom in failing");
        assertThat(locks.holder(kb)).isEmpty();
        locks.acquire(kb, "next", Duration.ZERO).close();
    }

    @Test
    void shouldGrantInRequestOrderAndReportDecreasingPositions() throws Exception {
        Path kb = kb("team");
        List<Integer> grants = new CopyOnWriteArrayList<>();
        List<List<Integer>> positions = new ArrayList<>();
        List<Future<?>> waiters = new ArrayList<>();
        try (LocalKbLock.Handle held = locks.acquire(kb, "holder", LONG)) {
            for (int i = 0; i < 8; i++) {
                int index = i;
                List<Integer> seen = new CopyOnWriteArrayList<>();
                positions.add(seen);
                waiters.add(pool.submit(() -> {
                    try (LocalKbLock.Handle h = locks.acquire(kb, "waiter_" + index, LONG, seen::add)) {
                        assertThat(h.operation()).isEqualTo("waiter_" + index);
                        grants.add(index);
                    }
                }));
                await().atMost(Duration.ofSeconds(10)).until(() -> locks.waiting(kb) == index + 1);
            }
            assertThat(locks.holder(kb)).map(LockHolder::operation).contains(held.operation());
        }
        for (Future<?> waiter : waiters) {
            waiter.get(30, TimeUnit.SECONDS);
        }
        assertThat(grants).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        for (int i = 0; i < 8; i++) {
            List<Integer> seen = positions.get(i);
            assertThat(seen).first().isEqualTo(i + 1);
            assertThat(seen).last().isEqualTo(0);
            assertThat(seen)
                    .isSortedAccordingTo((x, y) -> Integer.compare(y, x))
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldNameTheKbTheHolderAndTheHoldTimeOnTimeout() {
        Path kb = kb("team");
        try (LocalKbLock.Handle held = locks.acquire(kb, "create_note_user_7", LONG)) {
            assertThat(held.operation()).isEqualTo("create_note_user_7");
            assertThatThrownBy(() -> locks.acquire(kb, "create_note_user_42", SHORT))
                    .isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("KB team")
                    .hasMessageContaining("create_note_user_42")
                    .hasMessageContaining("held by create_note_user_7 for ")
                    .hasMessageMatching("(?s).*for \\d+\\.\\d s$");
        }
        assertThat(locks.waiting(kb)).isZero();
    }

    @Test
    void shouldIgnoreASecondClose() {
        Path kb = kb("team");
        LocalKbLock.Handle first = locks.acquire(kb, "first", LONG);
        first.close();
        LocalKbLock.Handle second = locks.acquire(kb, "second", Duration.ZERO);
        first.close();
        assertThat(locks.holder(kb)).map(LockHolder::operation).contains("second");
        second.close();
        assertThat(locks.stats(kb).count()).isEqualTo(2);
    }

    @Test
    void shouldReleaseWhenClosedFromAnotherThread() throws Exception {
        Path kb = kb("team");
        LocalKbLock.Handle held = CompletableFuture.supplyAsync(() -> locks.acquire(kb, "async_op", LONG), pool)
                .get(10, TimeUnit.SECONDS);
        pool.submit(held::close).get(10, TimeUnit.SECONDS);
        locks.acquire(kb, "next", Duration.ZERO).close();
    }

    @Test
    void shouldFailCleanlyWhenInterruptedWhileWaiting() throws Exception {
        Path kb = kb("team");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread waiter;
        try (LocalKbLock.Handle held = locks.acquire(kb, "holder", LONG)) {
            waiter = new Thread(() -> {
                try {
                    locks.acquire(kb, "waiter", LONG).close();
                } catch (RuntimeException e) {
                    failure.set(e);
                    flagAfter.set(Thread.currentThread().isInterrupted());
                }
            });
            waiter.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> locks.waiting(kb) == 1);
            assertThat(locks.holder(kb)).map(LockHolder::operation).contains(held.operation());
            waiter.interrupt();
            waiter.join(10_000);
            assertThat(locks.waiting(kb)).isZero();
        }
        assertThat(failure.get()).isInstanceOf(LockInterruptedException.class);
        assertThat(flagAfter.get()).isTrue();
        locks.acquire(kb, "next", Duration.ZERO).close();
    }

    @Test
    void shouldMeasureWaitsAndHolds() throws Exception {
        Path kb = kb("team");
        locks.acquire(kb, "one", LONG).close();
        locks.acquire(kb, "two", LONG).close();
        LockStats stats = locks.stats(kb);
        assertThat(stats.count()).isEqualTo(2);
        assertThat(stats.maxHold()).isLessThanOrEqualTo(stats.totalHold());
        assertThat(stats.maxWait()).isLessThanOrEqualTo(stats.totalWait());
        assertThat(LocalKbLock.stats()).containsEntry(kb.toRealPath(), stats);
    }

    @Test
    void shouldRejectInvalidConfig() {
        assertThatThrownBy(() -> new LocalLockConfig(Duration.ofSeconds(-1), Duration.ofMillis(50), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LocalLockConfig(Duration.ofSeconds(1), Duration.ZERO, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LocalLockConfig(Duration.ofSeconds(1), Duration.ofMillis(50), Path.of("rel")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Path kb(String name) {
        try {
            return Files.createDirectories(root.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
