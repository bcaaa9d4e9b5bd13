package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job can read failed although its commit landed: its push went through, and its grant ended on its last attempt
 * before its report arrived (a worker killed or stalled between the two, a push whose answer was lost). Its retry
 * must not write the note a second time: it finds the failed job's commit by its {@code Kbsync-Job} trailer, as a
 * job finds its own, and is done with it.
 */
class RetryOfLandedJobIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
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
    void shouldFinishARetryWithTheCommitOfTheFailedJobItRetriesWhenThatOneLanded() {
        Path bare = tmp.resolve("kb.git");
        coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                Duration.ofSeconds(1),
                Map.of("kb", GitFixture.bareRemote(bare)),
                Map.of("KBSYNC_JOBS_MAX_ATTEMPTS", "1", "KBSYNC_LEASE_MAX_HOLD_SECONDS", "2"));
        AtomicBoolean stalled = new AtomicBoolean();
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache-w1"), 1, Optional.empty()),
                (phase, id) -> {
                    if (phase == Phase.PUSHED && stalled.compareAndSet(false, true)) {
                        // pushed, not reported yet: the grant's maximum hold ends it on the job's only attempt
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> coordinator.jobState(id).equals("failed"));
                    }
                });

        Job first = coordinator.submitNote("kb", "alice", "written once", "Once");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> coordinator.job(first.id()).state() == JobState.FAILED);
        assertThat(GitFixture.commitsForJob(bare, first.id()))
                .as("the failed job's commit")
                .isEqualTo(1);
        RevCommit landed = GitFixture.history(bare).get(0);

        Job retry = coordinator.client().retry(first.id());
        coordinator.awaitDone(List.of(retry.id()));

        assertThat(coordinator.job(retry.id()).commit()).isEqualTo(landed.name());
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Once", "Initial commit");
    }
}
