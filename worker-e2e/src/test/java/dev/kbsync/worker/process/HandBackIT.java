package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's grant tells it whether anybody held the KB since its own last cycle (the assignment's previous fencing
 * token): given the KB again right after its own batch it skips the catch-up fetch (optimistic), given it back after
 * another holder it fetches first. The fetch is seen through a push made outside kbsync: an optimistic cycle does not
 * see it until its own push is rejected; a cycle that fetched first begins behind the remote with no rejection.
 */
class HandBackIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldSkipTheFetchWhenNobodyElseHeldTheKbAndFetchAfterAnotherHolder() {
        Vertx vertx = Vertx.vertx();
        String remote = GitFixture.bareRemote(tmp.resolve("kb.git"));
        WorkerProcess worker = null;
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(15), Map.of("kb", remote))) {
            worker = WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache"), 1, Optional.empty()),
                    PhaseListener.NONE);
            WorkerMetrics metrics = worker.metrics();
            landed(coordinator, metrics, 1);

            GitFixture.pushDirectly(remote, tmp.resolve("outside"), "outside.md", "pushed outside kbsync\n");
            landed(coordinator, metrics, 2);
            assertThat(metrics.rejectedCycles())
                    .as("the KB again right after this worker's own cycle: no catch-up fetch, so the push made"
                            + " outside kbsync is found by a rejected push")
                    .isEqualTo(1);

            holdAndPush(coordinator, remote, tmp.resolve("holder"));
            landed(coordinator, metrics, 3);
            assertThat(metrics.rejectedCycles())
                    .as("the KB back after another holder: the cycle fetched first, its push went through")
                    .isEqualTo(1);
            assertThat(metrics.behindCycles()).isEqualTo(2);
        } finally {
            if (worker != null) {
                worker.stop();
            }
            CoordinatorFixture.await(vertx.close());
        }
    }

    private static void landed(CoordinatorFixture coordinator, WorkerMetrics metrics, int count) {
        coordinator.submitNote("kb", "ann", "note " + count, "Note " + count);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> metrics.jobsDone() >= count);
    }

    /** Another holder of the KB: a raw lease that pushes while it holds the KB, then releases it. */
    private static void holdAndPush(CoordinatorFixture coordinator, String remote, Path scratch) {
        KbsyncClient client = coordinator.client();
        Lease lease = client.requestLease(KbId.of("kb"), LeaseRequest.of("other"));
        client.awaitGrant(lease.id(), Duration.ofSeconds(30), ahead -> {});
        GitFixture.pushDirectly(remote, scratch, "held.md", "pushed by another holder\n");
        client.release(lease.id());
    }
}
