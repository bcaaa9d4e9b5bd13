package dev.kbsync.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The metrics of one process: a Prometheus registry that the process's own meters, Vert.x (HTTP server) and the JVM
 * report into, and its scrape in text format 0.0.4.
 */
public final class ProcessMetrics {
    /** The Content-Type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Vert.x reports only its HTTP servers: event bus, pool and client metrics would cost on the engine's paths. */
    private static final Set<String> VERTX_OFF = Arrays.stream(MetricsDomain.values())
            .filter(d -> d != MetricsDomain.HTTP_SERVER)
            .map(MetricsDomain::toCategory)
            .collect(Collectors.toSet());

    /** The methods HTTP defines; any other a caller sends is counted as {@code OTHER}. */
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public ProcessMetrics() {
        // a method name is the caller's to choose, before any auth: each made-up one would otherwise add meters for the
        // process's life
        registry.config()
                .meterFilter(MeterFilter.replaceTagValues(
                        Label.HTTP_METHOD.toString(), method -> METHODS.contains(method) ? method : "OTHER"));
    }

    /** Where the process registers its meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * A Vert.x instance whose HTTP servers report into this registry ({@code vertx_http_server_*} by route template,
     * method and status) and which binds the JVM and process meters ({@code jvm_*}, {@code process_*}) for its life.
     */
    public Vertx vertx() {
        MicrometerMetricsOptions options = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setJvmMetricsEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE))
                .setDisabledMetricsCategories(VERTX_OFF);
        return Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(options))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }

    /** Every meter in Prometheus text exposition format 0.0.4. */
    public String scrape() {
        return registry.scrape();
    }

    /** Histogram bucket bounds (Micrometer service-level objectives) given in milliseconds, in ascending order. */
    public static Duration[] buckets(long... millis) {
        return Arrays.stream(millis).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    }
}
