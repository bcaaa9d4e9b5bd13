package dev.kbsync.coordinator.metrics;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import java.util.List;

/** The coordinator's metrics, kept in memory and rendered in Prometheus text format 0.0.4 by {@link #scrape()}. */
public final class PrometheusMetrics implements MetricsSink {
    /** The Content-Type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Histogram lockWait =
            new Histogram("kbsync_lock_wait_seconds", "Time from queueing to grant of a KB lock.", "kb");
    private final Histogram lockHold =
            new Histogram("kbsync_lock_hold_seconds", "Time a KB lock was held, grant to release.", "kb");
    private final Counter grants = new Counter("kbsync_grants_total", "KB lock grants.", "kb");
    private final Counter expiries =
            new Counter("kbsync_lease_expiries_total", "Leases lost because the holder went silent.", "kb");
    private final Counter shortfalls = new Counter(
            "kbsync_replication_shortfalls_total",
            "Writes that create jobs or grants answered 503 because too few replicas confirmed them in time.",
            "kb");
    private final Counter pushRejections =
            new Counter("kbsync_push_rejections_total", "Non-fast-forward pushes reported by workers.", "kb");
    private final Counter submitted =
            new Counter("kbsync_jobs_submitted_total", "Jobs accepted over HTTP.", "kb", "kind");
    private final Counter http =
            new Counter("kbsync_http_requests_total", "HTTP requests by route template and status.", "route", "status");
    private final Gauge queueLength = new Gauge("kbsync_queue_length", "Holder plus waiters per KB.", "kb");
    private final List<Family<?>> families =
            List.of(lockWait, lockHold, grants, expiries, pushRejections, shortfalls, submitted, http, queueLength);

    @Override
    public void granted(KbId kb, long waitedMs) {
        grants.inc(1, kb.value());
        lockWait.observe(waitedMs / 1000.0, kb.value());
    }

    @Override
    public void released(KbId kb, long heldMs) {
        lockHold.observe(heldMs / 1000.0, kb.value());
    }

    @Override
    public void expired(KbId kb) {
        expiries.inc(1, kb.value());
    }

    @Override
    public void queueLength(KbId kb, int length) {
        queueLength.set(length, kb.value());
    }

    @Override
    public void pushRejections(KbId kb, int count) {
        pushRejections.inc(count, kb.value());
    }

    @Override
    public void replicationShortfall(KbId kb) {
        shortfalls.inc(1, kb.value());
    }

    public void jobSubmitted(KbId kb, JobKind kind) {
        submitted.inc(1, kb.value(), kind.wire());
    }

    /** Counts one answered request; {@code route} is the route template (bounded cardinality). */
    public void httpRequest(String route, int status) {
        http.inc(1, route, Integer.toString(status));
    }

    /** Every metric in Prometheus text exposition format 0.0.4. */
    public String scrape() {
        StringBuilder out = new StringBuilder();
        families.forEach(f -> f.render(out));
        return out.toString();
    }
}
