package dev.kbsync.worker.process;

import dev.kbsync.worker.run.CacheDisk;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker whose cache disk is (nearly) full from taking jobs it would fail: below {@code cache.minFreeMegabytes}
 * its slots do not poll and {@code /readyz} says why; once space is freed they poll again. Each change is logged once
 * (WARN when it stops, INFO when it resumes). Thread-safe.
 */
final class CacheGuard {
    private static final Logger log = LoggerFactory.getLogger(CacheGuard.class);
    private static final long MIB = 1024 * 1024;

    private final CacheDisk disk;
    private final long minFreeBytes;
    private final AtomicBoolean low = new AtomicBoolean();

    /** {@code minFreeMegabytes} 0: never low. */
    CacheGuard(CacheDisk disk, int minFreeMegabytes) {
        this.disk = disk;
        this.minFreeBytes = minFreeMegabytes * MIB;
    }

    /** Why the worker takes no jobs now (the disk is below the threshold), measured now; empty when it may. */
    Optional<String> refusal() {
        long free = minFreeBytes == 0 ? -1 : disk.freeBytes();
        boolean below = free >= 0 && free < minFreeBytes;
        String why = "cache dir " + disk.dir() + " has " + CacheDisk.size(free)
                + " free, below cache.minFreeMegabytes (" + CacheDisk.size(minFreeBytes) + ")";
        if (low.compareAndSet(!below, below)) {
            if (below) {
                log.warn("{}: taking no jobs until space is freed", why);
            } else {
                log.info("cache dir {} has {} free again: taking jobs", disk.dir(), CacheDisk.size(free));
            }
        }
        return below ? Optional.of(why) : Optional.empty();
    }
}
