package dev.kbsync.worker.fallback;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whether this worker currently reaches its coordinator; logs (WARN) every switch between the two modes. */
public final class ModeTracker {
    private static final Logger log = LoggerFactory.getLogger(ModeTracker.class);

    private final FallbackMode fallback;
    private final AtomicBoolean degraded = new AtomicBoolean();

    public ModeTracker(FallbackMode fallback) {
        this.fallback = fallback;
    }

    /** A coordinator call just failed to connect. */
    public void unreachable(String reason) {
        if (degraded.compareAndSet(false, true)) {
            log.warn(
                    "coordinator unreachable ({}); switching to degraded mode, fallback={}",
                    reason,
                    fallback.name().toLowerCase(Locale.ROOT));
        }
    }

    /** A coordinator call just succeeded. */
    public void reachable() {
        if (degraded.compareAndSet(true, false)) {
            log.warn("coordinator reachable again; back to coordinated mode");
        }
    }

    public boolean degraded() {
        return degraded.get();
    }

    /** {@code coordinated} or {@code degraded}, as shown by /healthz. */
    public String mode() {
        return degraded() ? "degraded" : "coordinated";
    }

    public FallbackMode fallback() {
        return fallback;
    }
}
