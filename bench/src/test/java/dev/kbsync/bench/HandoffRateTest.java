package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * Scenario 2's grants per second: over the grants counted, the clock stopped at the last of them; each contender's
 * one more grant, taken only to learn that the run is over, is neither counted nor timed.
 */
class HandoffRateTest {
    private static final long GRANT_MS = 50;

    /** A lock every grant of which takes {@link #GRANT_MS} while held: at most 1000 / GRANT_MS grants a second. */
    private static Mutex slow(Semaphore lock) {
        return new Mutex() {
            @Override
            public void lock() throws InterruptedException {
                lock.acquire();
                Thread.sleep(GRANT_MS);
            }

            @Override
            public void unlock() {
                lock.release();
            }
        };
    }

    @Test
    void shouldTimeTheCountedGrantsOnly() throws Exception {
        Semaphore lock = new Semaphore(1, true);

        Measurement m = Handoff.run("slow", 4, 0, 8, t -> slow(lock));

        // 8 grants of >= 50 ms each: at most 20 a second; timing the 4 contenders' extra grants too gives <= 13.3
        assertThat(m.perSecond()).isBetween(16.0, 1000.0 / GRANT_MS);
    }
}
