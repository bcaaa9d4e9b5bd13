package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read threads: a KB whose reads never end holds its own share of them; its next read is answered READS_BUSY
 * once its wait and the grace are over, and never runs, while another KB's reads run at once.
 */
class ReadThreadsTest {
    private static final KbId BUSY = KbId.of("busy");
    private static final KbId CALM = KbId.of("calm");

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ReadThreads threads = new ReadThreads(pool, 4, 2, Duration.ofMillis(300));

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void shouldServeOtherKbsAndAnswerTheBusyKbsNextReadReadsBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            threads.run(BUSY, System.nanoTime(), () -> {
                holding.countDown();
                return await(release);
            });
        }
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();

        AtomicBoolean ran = new AtomicBoolean();
        long start = System.nanoTime();
        CompletableFuture<String> refused =
                threads.run(BUSY, start + Duration.ofMillis(200).toNanos(), () -> {
                    ran.set(true);
                    return "late";
                });
        assertThat(threads.run(CALM, start, () -> "calm").get(2, TimeUnit.SECONDS))
                .as("another KB's read runs at once")
                .isEqualTo("calm");

        assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("KB busy")
                .satisfies(e -> {
                    UnavailableException busy = (UnavailableException) e;
                    assertThat(busy.code()).isEqualTo("READS_BUSY");
                    assertThat(busy.retryAfter()).isPositive();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("refused once its wait (200 ms) and the grace (300 ms) are over")
                .isBetween(Duration.ofMillis(450), Duration.ofSeconds(3));

        release.countDown();
        assertThat(threads.run(BUSY, System.nanoTime(), () -> "again").get(5, TimeUnit.SECONDS))
                .isEqualTo("again");
        assertThat(ran).as("the refused read never ran").isFalse();
    }

    @Test
    void shouldFailTheReadWithWhatItThrew() {
        CompletableFuture<String> failed = threads.run(CALM, System.nanoTime(), () -> {
            throw new IllegalStateException("broken");
        });
        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("broken");
    }

    /**
     * The read threads shut down (the coordinator stops): a read asked then, or still waiting for a thread, is answered
     * 503 COORDINATOR_STOPPING at once. Before, the first was never answered, the second only READS_BUSY at its bound.
     */
    @Test
    void shouldAnswerReadsThatCannotRunOnceTheThreadsAreShutCoordinatorStopping() throws Exception {
        CountDownLatch holding = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            threads.run(BUSY, System.nanoTime(), () -> {
                holding.countDown();
                return await(new CountDownLatch(1));
            });
        }
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<String> waiting =
                threads.run(BUSY, System.nanoTime() + Duration.ofSeconds(30).toNanos(), () -> "late");

        pool.shutdownNow();

        assertStopping(waiting);
        assertStopping(threads.run(CALM, System.nanoTime(), () -> "after"));
    }

    private static void assertStopping(CompletableFuture<String> read) {
        assertThatThrownBy(() -> read.get(2, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(UnavailableException.class, e -> {
                    assertThat(e.code()).isEqualTo("COORDINATOR_STOPPING");
                    assertThat(e.retryAfter()).isPositive();
                });
    }

    private static String await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "held";
    }
}
