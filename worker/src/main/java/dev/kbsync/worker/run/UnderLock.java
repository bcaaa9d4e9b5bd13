package dev.kbsync.worker.run;

import dev.kbsync.api.Assignment;
import dev.kbsync.lock.LocalKbLock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work under a KB's local lock ({@link LocalKbLock}, in the checkout cache's lock directory). A failure to release the
 * lock never replaces the work's result: a note that landed stays landed.
 */
final class UnderLock {
    private static final Logger log = LoggerFactory.getLogger(UnderLock.class);
    /** No bound of its own on a wait for the lock: the lock's timeout applies. */
    private static final Duration UNBOUNDED = ChronoUnit.FOREVER.getDuration();

    private final LocalKbLock locks;
    private final CheckoutCache checkouts;

    UnderLock(LocalKbLock locks, CheckoutCache checkouts) {
        this.locks = locks;
        this.checkouts = checkouts;
    }

    /**
     * {@code work} under the KB's local lock, waited for at most {@code within} (and the lock's own timeout); {@code
     * check} runs while the wait lasts, and ends it by what it throws.
     */
    <T> T run(Assignment assignment, String operation, Optional<Duration> within, Runnable check, Supplier<T> work) {
        LocalKbLock.Handle held =
                locks.acquireWithin(checkouts.lockDir(assignment.kb()), operation, within.orElse(UNBOUNDED), check);
        Throwable failure = null;
        try {
            return work.get();
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            release(held, failure);
        }
    }

    /**
     * Releases the lock; a failure to do so is logged (and suppressed in the work's own failure), never thrown: it must
     * not replace the result of the work done under the lock.
     */
    private static void release(LocalKbLock.Handle held, Throwable failure) {
        try {
            held.close();
        } catch (RuntimeException e) {
            log.warn(
                    "{} could not release the local lock of {} cleanly: {}", held.operation(), held.kb(), e.toString());
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}
