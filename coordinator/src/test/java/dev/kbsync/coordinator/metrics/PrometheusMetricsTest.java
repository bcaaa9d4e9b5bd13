package dev.kbsync.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.metrics.ProcessMetrics;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    private final ProcessMetrics process = new ProcessMetrics();
    private final PrometheusMetrics metrics = new PrometheusMetrics(process);

    @Test
    void shouldRecordEachObservationUnderItsKb() {
        KbId kb = KbId.of("team");
        metrics.granted(kb, 40);
        metrics.granted(kb, 3_000);
        metrics.released(kb, 1_500);
        metrics.expired(kb);
        metrics.pushRejections(kb, 2);
        metrics.queueLength(kb, 3);
        metrics.queueLength(kb, 1);
        metrics.jobSubmitted(kb, JobKind.AGENT);
        metrics.routeRequests("/v1/kbs/:kb/notes").count(202);

        assertThat(metrics.scrape())
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"0.05\"} 1\n")
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"2.5\"} 1\n")
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"5.0\"} 2\n")
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"+Inf\"} 2\n")
                .contains("kbsync_lock_wait_seconds_sum{kb=\"team\"} 3.04\n")
                .contains("kbsync_lock_wait_seconds_count{kb=\"team\"} 2\n")
                .contains("kbsync_lock_hold_seconds_count{kb=\"team\"} 1\n")
                .contains("kbsync_grants_total{kb=\"team\"} 2.0\n")
                .contains("kbsync_lease_expiries_total{kb=\"team\"} 1.0\n")
                .contains("kbsync_push_rejections_total{kb=\"team\"} 2.0\n")
                .contains("kbsync_queue_length{kb=\"team\"} 1.0\n")
                .contains("kbsync_jobs_submitted_total{kb=\"team\",kind=\"agent\"} 1.0\n")
                .contains("kbsync_http_requests_total{route=\"/v1/kbs/:kb/notes\",status=\"202\"} 1.0\n");
    }

    @Test
    void shouldTimeEachAnsweredRequestByRouteAndMethod() {
        RouteRequests release = metrics.routeRequests("DELETE", "/v1/leases/:id");
        release.answered(200, java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(800));
        release.answered(200, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(30));

        assertThat(metrics.scrape())
                .contains("# TYPE kbsync_http_request_duration_seconds histogram\n")
                .contains("kbsync_http_request_duration_seconds_bucket{method=\"DELETE\",route=\"/v1/leases/:id\","
                        + "le=\"0.001\"} 1\n")
                .contains("kbsync_http_request_duration_seconds_bucket{method=\"DELETE\",route=\"/v1/leases/:id\","
                        + "le=\"0.025\"} 1\n")
                .contains("kbsync_http_request_duration_seconds_bucket{method=\"DELETE\",route=\"/v1/leases/:id\","
                        + "le=\"0.05\"} 2\n")
                .contains("kbsync_http_request_duration_seconds_count{method=\"DELETE\",route=\"/v1/leases/:id\"} 2\n")
                .contains("kbsync_http_requests_total{route=\"/v1/leases/:id\",status=\"200\"} 2.0\n");
    }

    @Test
    void shouldShowEveryFamilyOfAKbWithZeroesOnceTheSweepSawIt() {
        metrics.queueLength(KbId.of("quiet"), 0);

        assertThat(metrics.scrape())
                .contains("# TYPE kbsync_lock_wait_seconds histogram\n")
                .contains("kbsync_lock_hold_seconds_count{kb=\"quiet\"} 0\n")
                .contains("kbsync_grants_total{kb=\"quiet\"} 0.0\n")
                .contains("kbsync_lease_expiries_total{kb=\"quiet\"} 0.0\n")
                .contains("kbsync_push_rejections_total{kb=\"quiet\"} 0.0\n")
                .contains("kbsync_replication_shortfalls_total{kb=\"quiet\"} 0.0\n")
                .contains("kbsync_jobs_submitted_total{kb=\"quiet\",kind=\"note\"} 0.0\n")
                .contains("kbsync_jobs_submitted_total{kb=\"quiet\",kind=\"agent\"} 0.0\n")
                .contains("kbsync_queue_length{kb=\"quiet\"} 0.0\n");
    }

    @Test
    void shouldRegisterAKbsMetersOnceAndReuseThem() {
        KbId kb = KbId.of("hot");
        RouteRequests notes = metrics.routeRequests("/v1/kbs/:kb/notes");
        observeEverything(kb, notes);
        int meters = process.registry().getMeters().size();

        for (int i = 0; i < 1_000; i++) {
            observeEverything(kb, notes);
        }

        assertThat(process.registry().getMeters()).hasSize(meters);
        assertThat(metrics.scrape()).contains("kbsync_grants_total{kb=\"hot\"} 1001.0\n");
    }

    private void observeEverything(KbId kb, RouteRequests route) {
        metrics.granted(kb, 1);
        metrics.released(kb, 1);
        metrics.expired(kb);
        metrics.pushRejections(kb, 1);
        metrics.queueLength(kb, 1);
        metrics.jobSubmitted(kb, JobKind.NOTE);
        route.count(202);
    }
}
