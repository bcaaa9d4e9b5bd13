package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A test awaiting a condition is not failed by an exception another thread left uncaught: with test classes side by
 * side in one JVM, that thread is as likely another class's (a Vert.x closed under a write in flight) as its own.
 * Awaitility's default would hand it to whichever test happens to be awaiting.
 */
class OwnThreadsAwaitTest {
    @Test
    void shouldNotFailAnAwaitOnAnotherThreadsUncaughtException() throws Exception {
        CountDownLatch thrown = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try {
                throw new IllegalStateException("another test's leftover thread");
            } finally {
                thrown.countDown();
            }
        });
        assertThatCode(() -> await().atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            if (!other.isAlive() && other.getState() == Thread.State.NEW) {
                                other.start();
                            }
                            return thrown.await(0, TimeUnit.MILLISECONDS) && !other.isAlive();
                        }))
                .doesNotThrowAnyException();
    }
}
