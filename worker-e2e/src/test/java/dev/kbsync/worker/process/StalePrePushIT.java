package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.run.Phase;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker JVM frozen (SIGSTOP; a long GC pause does the same) after its pre-push heartbeat was answered GRANTED and
 * before its push, until its lease expired and the coordinator took the job back: after the thaw it must not push
 * under the expired grant. The job lands once, under a later grant's fencing token.
 */
class StalePrePushIT {
    private static final Duration PAUSE = Duration.ofMillis(2500);
    /** How long the child's pre-push heartbeat has, from the commit, to be answered before the freeze. */
    private static final Duration ANSWERED = Duration.ofMillis(1000);

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
    void tearDown() throws Exception {
        if (child != null) {
            signal("CONT");
            child.destroyForcibly().waitFor();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldNotPushUnderAGrantThatExpiredWhileTheWorkerWasFrozen() throws Exception {
        String kb = "freeze";
        Path bare = tmp.resolve(kb + ".git");
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(2), Map.of(kb, GitFixture.bareRemote(bare)))) {
            Path marker = tmp.resolve("marker");
            // the child pauses at COMMITTED (its pre-push check was started before the commit and is answered by
            // then), the test freezes it meanwhile and thaws it once the pause is over: the push comes at once
            child = CrashingWorkerMain.spawn(
                    coordinator,
                    Phase.COMMITTED,
                    marker,
                    tmp.resolve("cache"),
                    Map.of("PAUSE_MILLIS", Long.toString(PAUSE.toMillis()), "KBSYNC_CONCURRENCY", "1"));
            String id = coordinator.submitNote(kb, "alice", "frozen", "Freeze").id();

            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> Files.exists(marker));
            long committedAt = System.nanoTime();
            TimeUnit.MILLISECONDS.sleep(ANSWERED.toMillis()); // within the pause: nothing to await in the child
            signal("STOP");
            long first = coordinator.job(id).fencingToken();
            await().atMost(Duration.ofSeconds(20))
                    .alias("the 2 s lease lapses while the worker is frozen; the job is taken back")
                    .until(() -> !"running".equals(coordinator.jobState(id)));
            // the pause must be over at the thaw (a lapse takes the 2 s TTL, so it usually is): the thread goes on
            // to the push at once, before a periodic heartbeat can learn that the lease was lost
            long left = PAUSE.plusMillis(500).toNanos() - (System.nanoTime() - committedAt);
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            signal("CONT");

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> coordinator.jobState(id).equals("done"));
            assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
            RevCommit landed = GitFixture.history(bare).stream()
                    .filter(c -> id.equals(GitFixture.trailers(c).get("Kbsync-Job")))
                    .findFirst()
                    .orElseThrow();
            assertThat(Long.parseLong(GitFixture.trailers(landed).get("Kbsync-Fence")))
                    .as("the fence of the landed commit: not the grant that expired while the worker was frozen")
                    .isNotEqualTo(first);
        }
    }

    private void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(child.pid()))
                .start()
                .waitFor();
    }
}
