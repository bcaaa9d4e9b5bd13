package dev.kbsync.coordinator.metrics;

import dev.kbsync.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one route: {@code kbsync_http_requests_total} of its template (a counter per status, registered on
 * first use) and, for a route with a method, {@code kbsync_http_request_duration_seconds} (from the request's arrival
 * to the end of its answer; an event stream's is how long it was open).
 */
public final class RouteRequests {
    private static final int STATUSES = 600;
    private static final Duration[] DURATION_BUCKETS =
            ProcessMetrics.buckets(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000);

    private final MeterRegistry registry;
    private final String route;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(STATUSES);
    private final Optional<Timer> duration;

    RouteRequests(MeterRegistry registry, String route, Optional<String> method) {
        this.registry = registry;
        this.route = route;
        this.duration = method.map(m -> Timer.builder("kbsync.http.request.duration")
                .description("Time from an HTTP request's arrival to the end of its answer, by route template and"
                        + " method (an event stream's: how long it was open).")
                .tag("route", route)
                .tag("method", m)
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry));
    }

    /** Counts one answered request. */
    public void count(int status) {
        boolean cached = status >= 0 && status < STATUSES;
        Counter counter = cached ? byStatus.get(status) : null;
        if (counter == null) {
            // Registering the same name and tags again returns the same counter, so a race here is harmless.
            counter = Counter.builder("kbsync.http.requests")
                    .description("HTTP requests by route template and status.")
                    .tag("route", route)
                    .tag("status", Integer.toString(status))
                    .register(registry);
            if (cached) {
                byStatus.set(status, counter);
            }
        }
        counter.increment();
    }

    /** Counts one answered request and records how long it took, from its arrival to the end of its answer. */
    public void answered(int status, long nanos) {
        count(status);
        duration.ifPresent(t -> t.record(nanos, TimeUnit.NANOSECONDS));
    }
}
