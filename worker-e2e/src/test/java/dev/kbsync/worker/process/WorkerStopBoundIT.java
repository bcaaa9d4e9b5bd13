package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker JVM stopped with SIGTERM while its job cannot finish (blocked after its pull, deaf to the stop): the whole
 * stop ends within {@code shutdown.grace}, exits 124 with one WARN naming the job still under way, and the job, cut
 * short before its push, runs again on another worker once its lease expires: exactly one commit.
 */
class WorkerStopBoundIT {
    private static final Duration GRACE = Duration.ofSeconds(4);
    /** A JVM's own exit (shutdown hooks, logging) on a shared machine, on top of the bound. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(4);

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
    void shouldExit124WithinTheGraceNamingTheJobWhenAJobCannotFinish() throws Exception {
        String kb = "stuck";
        Path bare = tmp.resolve(kb + ".git");
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(3), Map.of(kb, GitFixture.bareRemote(bare)))) {
            Path marker = tmp.resolve("marker");
            Path cache = tmp.resolve("cache");
            child = CrashingWorkerMain.spawn(
                    coordinator, Phase.PULLED, marker, cache, Map.of("KBSYNC_SHUTDOWN_GRACE", GRACE.toSeconds() + "s"));
            String id = coordinator
                    .submitNote(kb, "alice", "cut short, then lands once", "Stuck")
                    .id();
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(marker));

            long signalled = System.nanoTime();
            child.destroy(); // SIGTERM
            boolean exited = child.waitFor(180, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - signalled);
            String log = Files.readString(marker.resolveSibling("child-PULLED.log"));
            System.out.printf(
                    "worker stop with a %d s grace took %d ms, exit %s%n",
                    GRACE.toSeconds(), took.toMillis(), exited ? child.exitValue() : "none");

            assertThat(took)
                    .as("the whole stop (exited: %s) took %d ms, bound %s", exited, took.toMillis(), GRACE)
                    .isLessThan(GRACE.plus(EXIT_MARGIN));
            assertThat(child.exitValue()).as("exit status past the bound").isEqualTo(124);
            assertThat(log).contains("WARN").contains("shutdown.grace").contains(id);

            WorkerProcess survivor = WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(coordinator.url(), "survivor", tmp.resolve("cache-2"), 1, Optional.empty()),
                    PhaseListener.NONE);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> coordinator.jobState(id).equals("done"));
            } finally {
                survivor.stop();
            }
            assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
        }
    }
}
