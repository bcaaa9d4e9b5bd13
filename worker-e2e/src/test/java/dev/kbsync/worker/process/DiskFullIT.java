package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Tmpfs;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A worker whose cache dir is on a full disk (a real tmpfs, filled up): it takes no jobs while the disk is below
 * {@code cache.minFreeMegabytes} and says so ({@code /readyz} 503 with the reason, the free-space gauge), and takes them
 * again once space is freed; a job that meets the full disk fails {@code DISK_FULL}, naming the cache dir and its free
 * space, and is queued again, not lost; a checkout the full disk left half written is recovered by the next job.
 */
class DiskFullIT {
    private static final long MIB = 1024 * 1024;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private Vertx vertx;
    private Tmpfs disk;
    private Path bare;
    private String remote;
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;

    @BeforeEach
    void mount() {
        disk = Tmpfs.mount(tmp.resolve("cache"), 16);
        vertx = Vertx.vertx();
        bare = tmp.resolve("team.git");
        remote = GitFixture.bareRemote(bare);
    }

    @AfterEach
    void tearDown() {
        try {
            if (worker != null) {
                worker.stop();
            }
            if (coordinator != null) {
                coordinator.close();
            }
            if (vertx != null) {
                CoordinatorFixture.await(vertx.close());
            }
        } finally {
            if (disk != null) {
                disk.close();
            }
        }
    }

    @Test
    void shouldTakeNoJobsWhileTheCacheDiskIsLowAndResumeOnceSpaceIsFreed() throws Exception {
        start(Map.of(), 1, PhaseListener.NONE);
        coordinator.assertDone(note("before the disk fills"));
        assertThat(readyz().statusCode()).isEqualTo(200);

        long filling = System.nanoTime();
        disk.fill(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> readyz().statusCode() == 503);
        long noticed = System.nanoTime();
        JsonObject why = new JsonObject(readyz().body());
        assertThat(why.getString("status")).isEqualTo("not ready");
        assertThat(why.getString("reason"))
                .contains("cache dir " + disk.dir().toAbsolutePath())
                .contains("below cache.minFreeMegabytes (1.0 MiB)");
        assertThat(cacheFreeGauge()).isLessThan(MIB);

        Thread.sleep(1_500); // a poll already in flight when the disk filled may still bring a job: poll.wait is 1 s
        String waiting = note("while the disk is full");
        Thread.sleep(3_000);
        assertThat(coordinator.job(waiting).state())
                .as("a worker on a full disk takes no job: %s", coordinator.job(waiting))
                .isEqualTo(JobState.QUEUED);

        long freeing = System.nanoTime();
        disk.unfill();
        coordinator.assertDone(waiting);
        long landed = System.nanoTime();
        assertThat(coordinator.job(waiting).attempts()).isEqualTo(1);
        assertThat(readyz().statusCode()).isEqualTo(200);
        assertThat(cacheFreeGauge()).isGreaterThan(MIB);
        System.out.printf(
                "readyz 503 %d ms after the disk filled; the waiting note landed %d ms after space was freed%n",
                (noticed - filling) / 1_000_000, (landed - freeing) / 1_000_000);
    }

    @Test
    void shouldQueueAgainAJobThatMetAFullDiskAndLandItOnceSpaceIsFreed() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        start(Map.of(), 1, (phase, id) -> {
            if (phase == Phase.PULLED && armed.compareAndSet(true, false)) {
                disk.fill(0); // after the sync, before the note is written
            }
        });
        coordinator.assertDone(note("before the disk fills"));

        armed.set(true);
        String id = note("meets the full disk");
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> coordinator.job(id).attempts() >= 1
                        && !coordinator.jobState(id).equals("running"));
        assertThat(coordinator.job(id).state())
                .as("queued again after DISK_FULL: %s", coordinator.job(id))
                .isEqualTo(JobState.QUEUED);
        // the slot counts its reports once the job is over, after the coordinator recorded the outcome
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.metrics().jobsFailed() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> readyz().statusCode() == 503);

        disk.unfill();
        coordinator.assertDone(id);
        assertThat(coordinator.job(id).attempts()).isEqualTo(2);
        assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
    }

    /**
     * With the guard off the job takes the full disk head on: its one attempt fails {@code DISK_FULL} in the fetch
     * ({@code 1} MiB left) or while the fetched files are written into the work tree ({@code 3} MiB left), leaving the
     * checkout half written; the next job, once space is freed, recovers it and lands.
     */
    @ParameterizedTest(name = "{0} MiB left")
    @ValueSource(ints = {1, 3})
    void shouldRecoverACheckoutThatAFullDiskLeftHalfWritten(int mibLeft) throws Exception {
        start(Map.of("KBSYNC_JOBS_MAX_ATTEMPTS", "1"), 0, PhaseListener.NONE);
        coordinator.assertDone(note("before the disk fills"));
        byte[] random = new byte[2 * (int) MIB];
        new Random(7).nextBytes(random);
        String big = Base64.getMimeEncoder().encodeToString(random); // ~2.7 MiB, a ~2 MiB pack
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "big.txt", big);

        disk.fill(mibLeft * MIB);
        String id = note("meets the full disk");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !coordinator.jobState(id).matches("queued|running"));
        Job failed = coordinator.job(id);
        assertThat(failed.state()).as("%s", failed).isEqualTo(JobState.FAILED);
        assertThat(failed.error().code()).isEqualTo("DISK_FULL");
        assertThat(failed.error().message())
                .startsWith("the worker's cache disk is full: " + disk.dir().toAbsolutePath() + " has ")
                .contains(" free (")
                .contains("No space left on device");
        System.out.println("DISK_FULL message: " + failed.error().message());

        disk.unfill();
        String after = note("after space was freed");
        coordinator.assertDone(after);
        assertThat(GitFixture.commitsForJob(bare, after)).isEqualTo(1);
        assertThat(GitFixture.commitsForJob(bare, id)).isZero();
        Path work = disk.dir().resolve("team").resolve("work");
        assertThat(Files.readString(work.resolve("big.txt"))).isEqualTo(big);
        try (Git checkout = Git.open(work.toFile())) {
            assertThat(checkout.status().call().isClean()).isTrue();
        }
    }

    private void start(Map<String, String> settings, int minFreeMegabytes, PhaseListener listener) {
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(2), Map.of("team", remote), settings);
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.withCacheMinFree(
                        WorkerFixture.config(coordinator.url(), "w1", disk.dir(), 1, Optional.empty()),
                        minFreeMegabytes),
                listener);
    }

    private String note(String text) {
        return coordinator.submitNote("team", "ada", text, text).id();
    }

    private HttpResponse<String> readyz() throws Exception {
        return get("/readyz");
    }

    private long cacheFreeGauge() throws Exception {
        return get("/metrics")
                .body()
                .lines()
                .filter(l -> l.startsWith("kbsync_worker_cache_free_bytes "))
                .map(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no kbsync_worker_cache_free_bytes"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
