package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The fixed-count and fixed-time lock scenarios run their contenders untimed first, so that no side is timed cold. */
class WarmUpTest {
    private static final ReentrantLock LOCK = new ReentrantLock(true);

    private static Mutex counting(AtomicLong locks) {
        return new Mutex() {
            @Override
            public void lock() {
                LOCK.lock();
                locks.incrementAndGet();
            }

            @Override
            public void unlock() {
                LOCK.unlock();
            }
        };
    }

    @Test
    void shouldRunTheWarmUpGrantsBeforeTheTimedHandoffs() throws Exception {
        AtomicLong locks = new AtomicLong();

        Measurement m = Handoff.run("counting", 4, 300, 200, t -> counting(locks));

        assertThat(m.latency().count()).isLessThanOrEqualTo(200);
        assertThat(locks.get()).isGreaterThanOrEqualTo(500);
    }

    @Test
    void shouldRunTheWarmUpSecondBeforeTheTimedWindow() throws Exception {
        AtomicLong locks = new AtomicLong();
        long started = System.nanoTime();

        Measurement m = ManyKbs.run("counting", 10, 4, 1, 1, (t, kb) -> counting(locks));

        long elapsed = System.nanoTime() - started;
        assertThat(elapsed).isGreaterThanOrEqualTo(2_000_000_000L);
        assertThat(m.latency().count()).isLessThan(locks.get());
        // the rate is over the timed second only
        assertThat(m.perSecond()).isLessThanOrEqualTo(m.latency().count() / 0.9);
    }
}
