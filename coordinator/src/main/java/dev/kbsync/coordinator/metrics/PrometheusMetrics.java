package dev.kbsync.coordinator.metrics;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The coordinator's meters in the process's Prometheus registry. Names, types, labels, buckets and help texts are what
 * dashboards read (pinned by MetricNamesIT); each KB's meters are registered when the sweep first sees it (so every
 * family shows zeroes from the start) or on its first observation, and cached.
 */
public final class PrometheusMetrics implements MetricsSink {
    private static final Duration[] LOCK_BUCKETS = ProcessMetrics.buckets(
            5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000);

    private final ProcessMetrics process;
    private final MeterRegistry registry;
    private final PerKb<Timer> lockWait;
    private final PerKb<Timer> lockHold;
    private final PerKb<Counter> grants;
    private final PerKb<Counter> expiries;
    private final PerKb<Counter> pushRejections;
    private final PerKb<Counter> shortfalls;
    private final PerKb<AtomicLong> queueLength;
    private final Map<JobKind, PerKb<Counter>> submitted = new EnumMap<>(JobKind.class);
    private final Set<KbId> introduced = ConcurrentHashMap.newKeySet();
    private final Counter redisUnavailable;
    private final Counter rateWindowsSkipped;
    private final Map<String, PerKb<Counter>> webhooks = new java.util.HashMap<>();
    private final Map<String, Counter> readTimeouts = new java.util.HashMap<>();
    private final ChannelGauges leaseChannels;

    public PrometheusMetrics(ProcessMetrics process) {
        this.process = process;
        this.registry = process.registry();
        this.lockWait = new PerKb<>(kb -> timer("kbsync.lock.wait", "Time from queueing to grant of a KB lock.", kb));
        this.lockHold = new PerKb<>(kb -> timer("kbsync.lock.hold", "Time a KB lock was held, grant to release.", kb));
        this.grants = new PerKb<>(kb -> counter("kbsync.grants", "KB lock grants.", kb));
        this.expiries =
                new PerKb<>(kb -> counter("kbsync.lease.expiries", "Leases lost because the holder went silent.", kb));
        this.pushRejections = new PerKb<>(
                kb -> counter("kbsync.push.rejections", "Non-fast-forward pushes reported by workers.", kb));
        this.shortfalls = new PerKb<>(kb -> counter(
                "kbsync.replication.shortfalls",
                "Writes that create jobs or grants answered 503 because too few replicas confirmed them in time.",
                kb));
        this.queueLength = new PerKb<>(this::queueGauge);
        this.redisUnavailable = Counter.builder("kbsync.redis.unavailable")
                .description("Requests answered 503 REDIS_UNAVAILABLE because Redis did not answer.")
                .register(registry);
        this.rateWindowsSkipped = Counter.builder("kbsync.rate.windows.skipped")
                .description("Submissions not limited by a user's or token's rate window whose Redis Cluster shard did"
                        + " not answer.")
                .register(registry);
        for (String stage : java.util.List.of("headers", "body")) {
            readTimeouts.put(
                    stage,
                    Counter.builder("kbsync.http.request.read.timeouts")
                            .description("Connections closed because a whole request did not arrive within"
                                    + " http.requestReadSeconds, by what was missing: headers (none or part of a"
                                    + " request's headers; an idle keep-alive connection too) or body (answered 408).")
                            .tag("stage", stage)
                            .register(registry));
        }
        this.leaseChannels = ChannelGauges.registeredIn(registry);
        for (String result : java.util.List.of("delivered", "failed", "dropped")) {
            webhooks.put(
                    result,
                    new PerKb<>(kb -> Counter.builder("kbsync.webhook.deliveries")
                            .description("Webhook delivery attempts by result: delivered (2xx), failed (retried"
                                    + " later), dropped (retry window over, or host no longer allowed).")
                            .tag("kb", kb.value())
                            .tag("result", result)
                            .register(registry)));
        }
        for (JobKind kind : JobKind.values()) {
            submitted.put(
                    kind,
                    new PerKb<>(kb -> Counter.builder("kbsync.jobs.submitted")
                            .description("Jobs accepted over HTTP.")
                            .tag("kb", kb.value())
                            .tag("kind", kind.wire())
                            .register(registry)));
        }
    }

    @Override
    public void granted(KbId kb, long waitedMs) {
        grants.of(kb).increment();
        lockWait.of(kb).record(waitedMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void released(KbId kb, long heldMs) {
        lockHold.of(kb).record(heldMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void webhook(KbId kb, String result) {
        PerKb<Counter> counter = webhooks.get(result);
        if (counter != null) {
            counter.of(kb).increment();
        }
    }

    @Override
    public void expired(KbId kb) {
        expiries.of(kb).increment();
    }

    /** Every meter tagged with the KB leaves the registry (a KB registered again later starts from zero). */
    @Override
    public void forget(KbId kb) {
        introduced.remove(kb);
        for (PerKb<?> family :
                java.util.List.of(lockWait, lockHold, grants, expiries, pushRejections, shortfalls, queueLength)) {
            family.forget(kb);
        }
        webhooks.values().forEach(family -> family.forget(kb));
        submitted.values().forEach(family -> family.forget(kb));
        java.util.List.copyOf(registry.getMeters()).stream()
                .filter(meter -> kb.value().equals(meter.getId().getTag("kb")))
                .forEach(registry::remove);
    }

    /** Called by every sweep for every KB: a KB's first call registers all its meters, so each family shows zeroes. */
    @Override
    public void queueLength(KbId kb, int length) {
        if (introduced.add(kb)) {
            grants.of(kb);
            expiries.of(kb);
            pushRejections.of(kb);
            shortfalls.of(kb);
            lockWait.of(kb);
            lockHold.of(kb);
            submitted.values().forEach(perKind -> perKind.of(kb));
        }
        queueLength.of(kb).set(length);
    }

    @Override
    public void pushRejections(KbId kb, int count) {
        pushRejections.of(kb).increment(count);
    }

    @Override
    public void rateWindowSkipped() {
        rateWindowsSkipped.increment();
    }

    @Override
    public void replicationShortfall(KbId kb) {
        shortfalls.of(kb).increment();
    }

    public void jobSubmitted(KbId kb, JobKind kind) {
        submitted.get(kind).of(kb).increment();
    }

    /** Shows whether Redis answers as {@code kbsync_redis_up} (1 or 0). */
    public void redisUp(BooleanSupplier up) {
        Gauge.builder("kbsync.redis.up", up, u -> u.getAsBoolean() ? 1 : 0)
                .description("1 while Redis answers this coordinator's probes, 0 while it does not.")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Shows the degraded mode as {@code kbsync_degraded} (1 while submissions go to the local journal) and
     * {@code kbsync_degraded_journal_jobs} (jobs in the journal not yet in Redis).
     */
    public void degraded(BooleanSupplier accepting, IntSupplier journalJobs) {
        Gauge.builder("kbsync.degraded", accepting, a -> a.getAsBoolean() ? 1 : 0)
                .description("1 while this coordinator accepts jobs into its local journal (Redis unreachable).")
                .strongReference(true)
                .register(registry);
        Gauge.builder("kbsync.degraded.journal.jobs", journalJobs, IntSupplier::getAsInt)
                .description("Jobs in this coordinator's degraded-mode journal not yet moved into Redis.")
                .strongReference(true)
                .register(registry);
    }

    /** The lease channels' gauges. */
    public ChannelGauges leaseChannels() {
        return leaseChannels;
    }

    /**
     * Counts one connection closed by {@code http.requestReadSeconds} ({@code kbsync_http_request_read_timeouts_total});
     * {@code body}: its request's headers had arrived, else {@code headers}.
     */
    public void requestReadTimeout(boolean body) {
        readTimeouts.get(body ? "body" : "headers").increment();
    }

    /** Counts one answer 503 REDIS_UNAVAILABLE ({@code kbsync_redis_unavailable_total}). */
    public void redisUnavailable() {
        redisUnavailable.increment();
    }

    /** The request counter of one route template ({@code unmatched} for 404/405 without a route), untimed. */
    public RouteRequests routeRequests(String route) {
        return new RouteRequests(registry, route, java.util.Optional.empty());
    }

    /** The request counter and the request duration histogram of one route (template and method). */
    public RouteRequests routeRequests(String method, String route) {
        return new RouteRequests(registry, route, java.util.Optional.of(method));
    }

    /** Every meter of the process in Prometheus text exposition format 0.0.4 ({@link ProcessMetrics#CONTENT_TYPE}). */
    public String scrape() {
        return process.scrape();
    }

    private Timer timer(String name, String help, KbId kb) {
        return Timer.builder(name)
                .description(help)
                .tag("kb", kb.value())
                .serviceLevelObjectives(LOCK_BUCKETS)
                .register(registry);
    }

    private Counter counter(String name, String help, KbId kb) {
        return Counter.builder(name).description(help).tag("kb", kb.value()).register(registry);
    }

    private AtomicLong queueGauge(KbId kb) {
        AtomicLong length = new AtomicLong();
        Gauge.builder("kbsync.queue.length", length, AtomicLong::get)
                .description("Holder plus waiters per KB.")
                .tag("kb", kb.value())
                .strongReference(true)
                .register(registry);
        return length;
    }
}
