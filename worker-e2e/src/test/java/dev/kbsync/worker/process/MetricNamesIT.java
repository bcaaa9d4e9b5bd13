package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.testing.MetricShapes;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Scripts;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins what operators' dashboards and alerts read from both processes' {@code GET /metrics}: every kbsync metric
 * family's name, type, label names, histogram buckets and help text, after a run that gives each family a sample.
 */
class MetricNamesIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    // Captured from the hand-written Prometheus text of 0.1.0; the only additions since are the *_seconds_max gauges
    // that Micrometer publishes next to each histogram (largest observation of the last few minutes).
    private static final String LOCK_BUCKETS =
            "le=0.005,0.01,0.025,0.05,0.1,0.25,0.5,1.0,2.5,5.0,10.0,30.0,60.0,120.0,300.0,+Inf";

    private static final List<String> COORDINATOR = List.of(
            "kbsync_grants_total counter {kb} \"KB lock grants.\"",
            "kbsync_http_request_duration_seconds histogram {method,route} "
                    + "le=0.001,0.002,0.005,0.01,0.025,0.05,0.1,0.25,0.5,1.0,2.5,10.0,+Inf \"Time from an HTTP request's"
                    + " arrival to the end of its answer, by route template and method (an event stream's: how long it"
                    + " was open).\"",
            "kbsync_http_request_duration_seconds_max gauge {method,route} \"Time from an HTTP request's arrival to"
                    + " the end of its answer, by route template and method (an event stream's: how long it was"
                    + " open).\"",
            "kbsync_http_request_read_timeouts_total counter {stage} \"Connections closed because a whole request did"
                    + " not arrive within http.requestReadSeconds, by what was missing: headers (none or part of a"
                    + " request's headers; an idle keep-alive connection too) or body (answered 408).\"",
            "kbsync_http_requests_total counter {route,status} \"HTTP requests by route template and status.\"",
            "kbsync_jobs_submitted_total counter {kb,kind} \"Jobs accepted over HTTP.\"",
            "kbsync_lease_channel_leases gauge {} \"Leases the open lease channels keep alive (requested on a"
                    + " channel, not yet ended).\"",
            "kbsync_lease_channels gauge {} \"Lease channels (WebSockets) open on this coordinator.\"",
            "kbsync_lease_expiries_total counter {kb} \"Leases lost because the holder went silent.\"",
            "kbsync_lock_hold_seconds histogram {kb} " + LOCK_BUCKETS
                    + " \"Time a KB lock was held, grant to release.\"",
            "kbsync_lock_hold_seconds_max gauge {kb} \"Time a KB lock was held, grant to release.\"",
            "kbsync_lock_wait_seconds histogram {kb} " + LOCK_BUCKETS
                    + " \"Time from queueing to grant of a KB lock.\"",
            "kbsync_lock_wait_seconds_max gauge {kb} \"Time from queueing to grant of a KB lock.\"",
            "kbsync_push_rejections_total counter {kb} \"Non-fast-forward pushes reported by workers.\"",
            "kbsync_queue_length gauge {kb} \"Holder plus waiters per KB.\"",
            "kbsync_rate_windows_skipped_total counter {} \"Submissions not limited by a user's or token's rate window"
                    + " whose Redis Cluster shard did not answer.\"",
            "kbsync_redis_unavailable_total counter {} \"Requests answered 503 REDIS_UNAVAILABLE because Redis did not"
                    + " answer.\"",
            "kbsync_redis_up gauge {} \"1 while Redis answers this coordinator's probes, 0 while it does not.\"",
            "kbsync_replication_shortfalls_total counter {kb} \"Writes that create jobs or grants answered 503 because too"
                    + " few replicas confirmed them in time.\"");

    private static final List<String> WORKER = List.of(
            "kbsync_worker_cache_free_bytes gauge {} \"Free space of the disk that holds cache.dir (-1: cannot be"
                    + " read)\"",
            "kbsync_worker_coordinator_index gauge {} \"Position in coordinator.url of the coordinator in use (0 = the"
                    + " first)\"",
            "kbsync_worker_coordinator_moves_total counter {} \"Moves from one coordinator to another (away and back)\"",
            "kbsync_worker_degraded gauge {} \"1 while the coordinator is unreachable\"",
            "kbsync_worker_git_seconds histogram {} le=0.05,0.1,0.25,0.5,1.0,2.5,5.0,10.0,30.0,+Inf \"Git time per"
                    + " publish cycle (a job or a group-commit batch)\"",
            "kbsync_worker_git_seconds_max gauge {} \"Git time per publish cycle (a job or a group-commit batch)\"",
            "kbsync_worker_jobs_done_total counter {} \"Jobs reported done\"",
            "kbsync_worker_jobs_failed_total counter {} \"Jobs reported failed\"",
            "kbsync_worker_publish_cycles_behind_total counter {} \"Publish cycles that began behind the remote (another"
                    + " writer pushed since this checkout's last cycle)\"",
            "kbsync_worker_publish_cycles_rejected_total counter {} \"Publish cycles (jobs or group-commit batches)"
                    + " with a push rejected as non-fast-forward\"",
            "kbsync_worker_push_rejections_total counter {} \"Non-fast-forward push rejections\"",
            "kbsync_worker_remote_unavailable_total counter {} \"Tries that found a KB's git remote unreachable for now"
                    + " (refused, reset, timed out, HTTP 5xx, 408, 429)\"");

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.stop();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldKeepTheMetricNamesTypesLabelsAndHelpTextsOfBothProcesses() throws Exception {
        String remote = GitFixture.bareRemote(tmp.resolve("team.git"));
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("team", remote));
        AtomicBoolean raced = new AtomicBoolean();
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(
                        coordinator.url(),
                        "w1",
                        tmp.resolve("cache"),
                        1,
                        Optional.of(Scripts.agent(tmp, "fails", "exit 3", Duration.ofSeconds(60)))),
                (phase, id) -> {
                    if (phase == Phase.APPLIED && raced.compareAndSet(false, true)) {
                        GitFixture.pushDirectly(remote, tmp.resolve("other"), "direct.md", "direct\n");
                    }
                });

        String note = coordinator.submitNote("team", "alice", "text", "Note").id();
        String agent = coordinator
                .submitAgentTask("team", "bob", "an agent that fails")
                .id();
        String lease = coordinator
                .client()
                .requestLease(KbId.of("team"), LeaseRequest.of("silent").withTtl(Duration.ofSeconds(1)))
                .id();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> coordinator.jobState(note).equals("done")
                        && coordinator.jobState(agent).equals("failed")
                        && coordinator.client().lease(lease).state() == LeaseState.EXPIRED);
        send("GET", "/v1/nowhere"); // an unmatched route, counted as such

        assertThat(MetricShapes.of(scrape(coordinator.url() + "/metrics"), "kbsync_"))
                .containsExactlyElementsOf(COORDINATOR);
        assertThat(MetricShapes.of(scrape("http://127.0.0.1:" + worker.httpPort() + "/metrics"), "kbsync_"))
                .containsExactlyElementsOf(WORKER);
    }

    private void send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(coordinator.url() + path))
                .header("Authorization", "Bearer " + CoordinatorFixture.CLIENT_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
    }

    private String scrape(String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + CoordinatorFixture.CLIENT_TOKEN)
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        return response.body();
    }
}
