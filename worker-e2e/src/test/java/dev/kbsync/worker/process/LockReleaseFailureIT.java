package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.api.Job;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KB's local lock directory turns unwritable (here immutable: {@code chattr +i}, as root on a file system that has
 * it) after the note landed: the lock's release cannot delete its holder record, and the job is done all the same,
 * not failed {@code INTERNAL}.
 */
class LockReleaseFailureIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private Path locks;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (locks != null) {
            chattr("-i", locks);
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldReportALandedNoteDoneWhenTheLockCannotBeReleasedCleanly() throws Exception {
        Path bare = tmp.resolve("team.git");
        Path cache = tmp.resolve("cache");
        Path probe = Files.createDirectories(tmp.resolve("probe"));
        assumeTrue(
                chattr("+i", probe) && chattr("-i", probe), "chattr +i works here (root, a file system that has it)");
        locks = cache.resolve(".kbsync-locks");
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(5), Map.of("team", GitFixture.bareRemote(bare)))) {
            WorkerProcess worker = WorkerFixture.start(
                    vertx, WorkerFixture.config(coordinator.url(), "w1", cache, 1, Optional.empty()), (phase, unit) -> {
                        if (phase == Phase.PUSHED && !chattr("+i", locks)) {
                            throw new IllegalStateException("could not make " + locks + " immutable");
                        }
                    });
            try {
                Job job = coordinator.submitNote("team", "alice", "lands once", "Landed");
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !coordinator.jobState(job.id()).matches("queued|running"));

                assertThat(coordinator.job(job.id()).state().wire()).isEqualTo("done");
                assertThat(GitFixture.commitsForJob(bare, job.id())).isEqualTo(1);
            } finally {
                worker.stop();
            }
        }
    }

    private static boolean chattr(String flag, Path dir) {
        try {
            return new ProcessBuilder("chattr", flag, dir.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start()
                            .waitFor()
                    == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
