package dev.kbsync.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    private final PrometheusMetrics metrics = new PrometheusMetrics();

    @Test
    void shouldRenderCountersGaugesAndHistogramsInTextFormat004() {
        KbId kb = KbId.of("team");
        metrics.granted(kb, 40);
        metrics.granted(kb, 3_000);
        metrics.released(kb, 1_500);
        metrics.expired(kb);
        metrics.pushRejections(kb, 2);
        metrics.queueLength(kb, 3);
        metrics.queueLength(kb, 1);
        metrics.jobSubmitted(kb, JobKind.AGENT);
        metrics.httpRequest("/v1/kbs/:kb/notes", 202);

        String text = metrics.scrape();

        assertThat(text)
                .contains("# HELP kbsync_lock_wait_seconds Time from queueing to grant of a KB lock.\n")
                .contains("# TYPE kbsync_lock_wait_seconds histogram\n")
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"0.05\"} 1\n")
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"2.5\"} 1\n")
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"5.0\"} 2\n")
                .contains("kbsync_lock_wait_seconds_bucket{kb=\"team\",le=\"+Inf\"} 2\n")
                .contains("kbsync_lock_wait_seconds_sum{kb=\"team\"} 3.04\n")
                .contains("kbsync_lock_wait_seconds_count{kb=\"team\"} 2\n")
                .contains("kbsync_lock_hold_seconds_count{kb=\"team\"} 1\n")
                .contains("# TYPE kbsync_grants_total counter\nkbsync_grants_total{kb=\"team\"} 2\n")
                .contains("kbsync_lease_expiries_total{kb=\"team\"} 1\n")
                .contains("kbsync_push_rejections_total{kb=\"team\"} 2\n")
                .contains("# TYPE kbsync_queue_length gauge\nkbsync_queue_length{kb=\"team\"} 1\n")
                .contains("kbsync_jobs_submitted_total{kb=\"team\",kind=\"agent\"} 1\n")
                .contains("kbsync_http_requests_total{route=\"/v1/kbs/:kb/notes\",status=\"202\"} 1\n")
                .endsWith("\n");
    }

    @Test
    void shouldEscapeLabelValues() {
        metrics.httpRequest("a\"b\\c\nd", 500);
        assertThat(metrics.scrape())
                .contains("kbsync_http_requests_total{route=\"a\\\"b\\\\c\\nd\",status=\"500\"} 1\n");
    }

    @Test
    void shouldListEveryFamilyOnceEvenBeforeAnyObservation() {
        List<String> types =
                metrics.scrape().lines().filter(l -> l.startsWith("# TYPE")).toList();
        assertThat(types)
                .containsExactly(
                        "# TYPE kbsync_lock_wait_seconds histogram",
                        "# TYPE kbsync_lock_hold_seconds histogram",
                        "# TYPE kbsync_grants_total counter",
                        "# TYPE kbsync_lease_expiries_total counter",
                        "# TYPE kbsync_push_rejections_total counter",
                        "# TYPE kbsync_replication_shortfalls_total counter",
                        "# TYPE kbsync_jobs_submitted_total counter",
                        "# TYPE kbsync_http_requests_total counter",
                        "# TYPE kbsync_queue_length gauge");
    }

    @Test
    void shouldSortSeriesByLabelsForStableOutput() {
        metrics.granted(KbId.of("b"), 1);
        metrics.granted(KbId.of("a"), 1);
        String text = metrics.scrape();
        assertThat(text.indexOf("kbsync_grants_total{kb=\"a\"}"))
                .isLessThan(text.indexOf("kbsync_grants_total{kb=\"b\"}"));
    }
}
