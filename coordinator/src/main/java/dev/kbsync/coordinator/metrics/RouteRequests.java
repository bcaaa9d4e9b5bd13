package dev.kbsync.coordinator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** {@code kbsync_http_requests_total} of one route template: a counter per status, registered on first use. */
public final class RouteRequests {
    private static final int STATUSES = 600;

    private final MeterRegistry registry;
    private final String route;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(STATUSES);

    RouteRequests(MeterRegistry registry, String route) {
        this.registry = registry;
        this.route = route;
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
}
