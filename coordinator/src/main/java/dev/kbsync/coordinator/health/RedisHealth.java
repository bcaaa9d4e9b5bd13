package dev.kbsync.coordinator.health;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.coordinator.error.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes Redis with a round trip every {@link #PROBE_EVERY} (each bounded by {@link #PROBE_TIMEOUT}): after
 * {@link #FAILURES_TO_DOWN} failed probes in a row Redis is down, after one answered probe it is up again. Listeners
 * hear each change (on the probing context). Thread-safe: {@link #up()} may be read from any thread.
 */
public final class RedisHealth {
    private static final Logger LOG = LoggerFactory.getLogger(RedisHealth.class);
    public static final Duration PROBE_EVERY = Duration.ofMillis(500);
    public static final Duration PROBE_TIMEOUT = Duration.ofMillis(1000);
    public static final int FAILURES_TO_DOWN = 2;
    /** The Retry-After of answers refused while Redis is down. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final Supplier<Future<Void>> ping;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean up;
    private volatile long downSinceNanos;
    private int failures;
    private boolean probing;
    private long timer = -1;

    public RedisHealth(Vertx vertx, Supplier<Future<Void>> ping) {
        this(vertx, ping, true);
    }

    /**
     * A health that starts {@code up} or down (a coordinator started before Redis answered: down until a probe is
     * answered).
     */
    public RedisHealth(Vertx vertx, Supplier<Future<Void>> ping, boolean up) {
        this.vertx = vertx;
        this.ping = ping;
        this.up = up;
        this.downSinceNanos = System.nanoTime();
        this.failures = up ? 0 : FAILURES_TO_DOWN;
    }

    /** Starts probing (on a context of its own). */
    public RedisHealth start() {
        vertx.getOrCreateContext().runOnContext(v -> timer = vertx.setPeriodic(PROBE_EVERY.toMillis(), t -> probe()));
        return this;
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    /** True unless the last {@link #FAILURES_TO_DOWN} probes failed (and none answered since). */
    public boolean up() {
        return up;
    }

    /** How long Redis has been down (zero while up). */
    public Duration downFor() {
        return up ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - downSinceNanos);
    }

    /** Hears every change: {@code true} when Redis answers again, {@code false} when it went down. */
    public void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    /** A round trip now, bounded by {@link #PROBE_TIMEOUT}; its outcome counts as a probe. */
    public Future<Void> check() {
        return ping.get()
                .timeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .onComplete(result -> vertx.getOrCreateContext().runOnContext(v -> record(result.succeeded())));
    }

    /** The failure of a call refused because Redis is down. */
    public static UnavailableException unavailable() {
        return new UnavailableException(ErrorCodes.REDIS_UNAVAILABLE, "Redis is unreachable; retry later", RETRY_AFTER);
    }

    /** Whether a failure means Redis did not answer (as opposed to a refusal with a reason). */
    public static boolean isUnavailable(Throwable failure) {
        return failure instanceof UnavailableException e && ErrorCodes.REDIS_UNAVAILABLE.equals(e.code());
    }

    private void probe() {
        if (probing) {
            return;
        }
        probing = true;
        check().onComplete(r -> probing = false);
    }

    private synchronized void record(boolean answered) {
        if (answered) {
            failures = 0;
            if (!up) {
                LOG.info(
                        "Redis answers again after {} ms",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSinceNanos));
                up = true;
                listeners.forEach(l -> l.accept(true));
            }
            return;
        }
        failures++;
        if (up && failures >= FAILURES_TO_DOWN) {
            LOG.warn("Redis does not answer ({} probes in a row failed): answering 503 REDIS_UNAVAILABLE", failures);
            downSinceNanos = System.nanoTime();
            up = false;
            listeners.forEach(l -> l.accept(false));
        }
    }
}
