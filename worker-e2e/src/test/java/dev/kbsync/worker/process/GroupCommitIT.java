package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Group commit end to end: queued notes land in few pushes, one commit and one fence each, exactly once. */
class GroupCommitIT {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitIT.class);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private Process child;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() {
        if (child != null) {
            child.destroyForcibly();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldLandTwentyQueuedNotesInFewPushesWithOneCommitAndFenceEach() throws IOException {
        Path bare = tmp.resolve("team.git");
        String remote = remoteWithPushLog(bare);
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("team", remote))) {
            List<String> ids = submit(coordinator, "team", 20);
            WorkerProcess worker = startWorker(coordinator, "w1", tmp.resolve("cache"), 16);
            try {
                awaitDone(coordinator, ids);
            } finally {
                worker.stop();
            }

            assertThat(pushes(bare)).isBetween(2, 4);
            assertEveryJobOnceWithItsOwnCommit(coordinator, bare, ids);
        }
    }

    @Test
    void shouldNotAskForQueuedNotesWhenNoNoteWaitsBehindTheClaimedOne() throws Exception {
        Path bare = tmp.resolve("lone.git");
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(10), Map.of("lone", GitFixture.bareRemote(bare)))) {
            WorkerProcess worker = startWorker(coordinator, "w1", tmp.resolve("cache"), 16);
            try {
                for (int i = 0; i < 3; i++) { // one at a time: each note alone on the KB when claimed
                    String id = coordinator
                            .submitNote("lone", "alice", "alone " + i, "Lone " + i)
                            .id();
                    awaitDone(coordinator, List.of(id));
                }
            } finally {
                worker.stop();
            }

            assertThat(requests(coordinator, "/v1/leases/:id/extend")).isZero();
        }
    }

    @Test
    void shouldMarkABatchDoneWithoutSecondCommitsWhenItsWorkerDiesAfterThePush() throws Exception {
        Path bare = tmp.resolve("crash.git");
        String remote = remoteWithPushLog(bare);
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(2), Map.of("crash", remote))) {
            List<String> ids = submit(coordinator, "crash", 6);
            Path cache = tmp.resolve("cache");
            killedAfterItsPush(coordinator, cache, 16);
            assertThat(pushes(bare)).isEqualTo(1);
            assertThat(ids).noneMatch(id -> coordinator.jobState(id).equals("done"));
            WorkerProcess survivor = startWorker(coordinator, "survivor", cache, 16);
            try {
                awaitDone(coordinator, ids);
            } finally {
                survivor.stop();
            }

            assertThat(pushes(bare))
                    .as("the re-run found every job by its trailer")
                    .isEqualTo(1);
            assertEveryJobOnceWithItsOwnCommit(coordinator, bare, ids);
            assertThat(ids).allMatch(id -> coordinator.job(id).attempts() == 2);
        }
    }

    @Test
    void shouldReportANoteFoundOnTheRemoteDoneWhenItsBatchFailsUnexpectedly() throws Exception {
        Path bare = tmp.resolve("mixed.git");
        String remote = remoteWithPushLog(bare);
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(2), Map.of("mixed", remote))) {
            List<String> ids = submit(coordinator, "mixed", 2);
            String landed = ids.get(0);
            String broken = ids.get(1);
            Path cache = tmp.resolve("cache");
            killedAfterItsPush(coordinator, cache, 1); // the first note is pushed alone, and never reported
            assertThat(GitFixture.commitsForJob(bare, landed)).isEqualTo(1);
            // Its re-run takes the second note along, and the second one fails with a bug.
            WorkerProcess survivor = WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(
                            coordinator.url(), "survivor", cache, 1, Optional.empty(), Duration.ofSeconds(30), 16),
                    (phase, unit) -> {
                        if (phase == Phase.PULLED && unit.equals(broken)) {
                            throw new IllegalStateException("a bug while landing " + unit);
                        }
                    });
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> ids.stream()
                                .map(coordinator::jobState)
                                .allMatch(s -> s.equals("done") || s.equals("failed")));
            } finally {
                survivor.stop();
            }

            assertThat(coordinator.job(broken).error().code()).isEqualTo("INTERNAL");
            assertThat(coordinator.jobState(landed))
                    .as("the note was found on the remote: it landed, whatever became of its batch")
                    .isEqualTo("done");
            assertThat(coordinator.job(landed).commit()).isNotNull();
            assertThat(GitFixture.commitsForJob(bare, landed)).isEqualTo(1);
            assertThat(GitFixture.commitsForJob(bare, broken)).isZero();
        }
    }

    /**
     * A note whose path passes the submit's check but clashes with the KB's tree (a file used as a folder) fails on its
     * own ({@code INVALID_PATH}); the notes of its group commit before and after it land, each with its commit.
     */
    @Test
    void shouldLandTheRestOfABatchWhenOneNotesPathClashesWithTheTree() throws Exception {
        Path bare = tmp.resolve("clash.git");
        String remote = remoteWithPushLog(bare);
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("clash", remote))) {
            String before =
                    coordinator.submitNote("clash", "alice", "first", "First").id();
            String clashing = coordinator
                    .client()
                    .submitNote(
                            KbId.of("clash"),
                            NoteRequest.of("bob", "under the readme").withPath("README.md/x.md"))
                    .id();
            String after =
                    coordinator.submitNote("clash", "carol", "last", "Last").id();
            WorkerProcess worker = startWorker(coordinator, "w1", tmp.resolve("cache"), 16);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> coordinator.jobState(clashing).equals("failed")
                                && coordinator.jobState(before).equals("done")
                                && coordinator.jobState(after).equals("done"));
            } finally {
                worker.stop();
            }

            assertThat(coordinator.job(clashing).error().code()).isEqualTo("INVALID_PATH");
            assertThat(coordinator.job(clashing).error().message()).contains("'README.md' is a file");
            assertThat(pushes(bare)).as("one group commit").isEqualTo(1);
            assertEveryJobOnceWithItsOwnCommit(coordinator, bare, List.of(before, after));
        }
    }

    @Test
    void shouldReportABugWithoutAMessageAsAnInternalFailureOnce() throws Exception {
        Path bare = tmp.resolve("quiet-bug.git");
        String remote = remoteWithPushLog(bare);
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(2), Map.of("quiet", remote))) {
            String job = submit(coordinator, "quiet", 1).get(0);
            WorkerProcess worker = WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(
                            coordinator.url(),
                            "quiet",
                            tmp.resolve("quiet-cache"),
                            1,
                            Optional.empty(),
                            Duration.ofSeconds(30),
                            16),
                    (phase, unit) -> {
                        if (phase == Phase.PULLED) {
                            throw new IllegalStateException(); // a bug whose exception says nothing
                        }
                    });
            try {
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> coordinator.jobState(job).equals("failed"));
            } finally {
                worker.stop();
            }

            assertThat(coordinator.job(job).error().code()).isEqualTo("INTERNAL");
            assertThat(coordinator.job(job).error().message()).contains("IllegalStateException");
            assertThat(coordinator.job(job).attempts())
                    .as("its report was taken at once, not refused and the job run again after its lease lapsed")
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldMeasureNotesPerSecondWithAndWithoutGroupCommit() throws IOException {
        Map<Integer, Long> pushesByBatch = new java.util.TreeMap<>();
        for (int batchMax : new int[] {1, 16}) {
            Path bare = tmp.resolve("bench-" + batchMax + ".git");
            String remote = remoteWithPushLog(bare);
            try (CoordinatorFixture coordinator =
                    CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("bench", remote))) {
                List<String> ids = submit(coordinator, "bench", 16);
                WorkerProcess worker = startWorker(coordinator, "b" + batchMax, tmp.resolve("c" + batchMax), batchMax);
                try {
                    awaitDone(coordinator, ids);
                } finally {
                    worker.stop();
                }
                double seconds = busySeconds(coordinator, ids);
                log.info(
                        "MEASURED: batch max {}: 16 queued notes of 16 users on one KB, first start to last finish {} s"
                                + " = {} notes/s, {} pushes",
                        batchMax,
                        String.format("%.2f", seconds),
                        String.format("%.1f", 16 / seconds),
                        pushes(bare));
                pushesByBatch.put(batchMax, (long) pushes(bare));
                assertEveryJobOnceWithItsOwnCommit(coordinator, bare, ids);
            }
        }
        assertThat(pushesByBatch.get(1)).isEqualTo(16);
        assertThat(pushesByBatch.get(16)).isLessThan(pushesByBatch.get(1));
    }

    /** From the first job's start to the last job's finish, as the coordinator recorded them. */
    private static double busySeconds(CoordinatorFixture coordinator, List<String> ids) {
        List<Job> jobs = ids.stream().map(coordinator::job).toList();
        Instant first =
                jobs.stream().map(Job::startedAt).min(Instant::compareTo).orElseThrow();
        Instant last =
                jobs.stream().map(Job::finishedAt).max(Instant::compareTo).orElseThrow();
        return Duration.between(first, last).toNanos() / 1e9;
    }

    private static List<String> submit(CoordinatorFixture coordinator, String kb, int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> coordinator
                        .submitNote(kb, "user" + i, "note number " + i, "Note " + i)
                        .id())
                .toList();
    }

    /** A worker in a child JVM (one slot, group commits of up to {@code batchMax}) killed -9 right after its push. */
    private void killedAfterItsPush(CoordinatorFixture coordinator, Path cache, int batchMax) throws Exception {
        Path marker = tmp.resolve("marker");
        child = CrashingWorkerMain.spawn(
                coordinator,
                Phase.PUSHED,
                marker,
                cache,
                Map.of("KBSYNC_CONCURRENCY", "1", "KBSYNC_BATCH_MAX", Integer.toString(batchMax)));
        await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(marker));
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private WorkerProcess startWorker(CoordinatorFixture coordinator, String id, Path cache, int batchMax) {
        return WorkerFixture.start(
                vertx,
                WorkerFixture.config(
                        coordinator.url(), id, cache, 1, Optional.empty(), Duration.ofSeconds(30), batchMax),
                PhaseListener.NONE);
    }

    private static void awaitDone(CoordinatorFixture coordinator, List<String> ids) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(300))
                .until(() ->
                        ids.stream().allMatch(id -> coordinator.jobState(id).equals("done")));
    }

    /** Every job: exactly one commit with its trailer, reported as its commit; fences strictly increase in history. */
    private static void assertEveryJobOnceWithItsOwnCommit(
            CoordinatorFixture coordinator, Path bare, List<String> ids) {
        List<RevCommit> history = GitFixture.history(bare);
        assertThat(history).hasSize(ids.size() + 1).allMatch(c -> c.getParentCount() <= 1);
        for (String id : ids) {
            assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
            String commit = history.stream()
                    .filter(c -> id.equals(GitFixture.trailers(c).get("Kbsync-Job")))
                    .findFirst()
                    .orElseThrow()
                    .name();
            assertThat(coordinator.job(id).commit()).isEqualTo(commit);
            assertThat(coordinator.job(id).files()).hasSize(1);
        }
        List<Long> fences = history.stream()
                .map(c -> GitFixture.trailers(c).get("Kbsync-Fence"))
                .filter(Objects::nonNull)
                .map(Long::parseLong)
                .toList();
        List<Long> oldestFirst = new ArrayList<>(fences);
        java.util.Collections.reverse(oldestFirst);
        assertThat(oldestFirst).isSorted().doesNotHaveDuplicates();
    }

    /** A bare remote whose branch updates are logged (one reflog entry per accepted push). */
    private static String remoteWithPushLog(Path bare) throws IOException {
        String remote = GitFixture.bareRemote(bare);
        try (Git git = Git.open(bare.toFile())) {
            StoredConfig config = git.getRepository().getConfig();
            config.setString("core", null, "logAllRefUpdates", "true");
            config.save();
        }
        return remote;
    }

    private static int pushes(Path bare) throws IOException {
        try (Git git = Git.open(bare.toFile())) {
            return git.reflog()
                    .setRef(git.getRepository().getFullBranch())
                    .call()
                    .size();
        } catch (GitAPIException e) {
            throw new IOException(e);
        }
    }

    /** The coordinator's count of requests to a route template, any status ({@code kbsync_http_requests_total}). */
    private static double requests(CoordinatorFixture coordinator, String route) throws Exception {
        HttpResponse<String> metrics = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(coordinator.url() + "/metrics"))
                                .header("Authorization", "Bearer " + CoordinatorFixture.CLIENT_TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return metrics.body()
                .lines()
                .filter(l -> l.startsWith("kbsync_http_requests_total{") && l.contains("route=\"" + route + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
