package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.library.KbSession;
import dev.kbsync.worker.library.Kbsync;
import dev.kbsync.worker.library.KbsyncConfig;
import dev.kbsync.worker.run.Outcome;
import dev.kbsync.worker.run.Phase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis dies while a job is in flight: the job finishes under the local lock (degraded, visible in /healthz and
 * /metrics), a library session runs under the local lock, nothing is lost; after Redis is back the worker returns to
 * coordinated mode.
 */
class FallbackIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldKeepWritingUnderTheLocalLockWhileRedisIsDown() throws Exception {
        Vertx vertx = Vertx.vertx();
        Path bare = tmp.resolve("fb.git");
        String remote = GitFixture.bareRemote(bare);
        CountDownLatch applied = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(30), Map.of("fb", remote));
        WorkerProcess worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache-w1"), 1, Optional.empty()),
                (phase, id) -> {
                    if (phase == Phase.APPLIED && applied.getCount() > 0) {
                        applied.countDown();
                        hold(proceed);
                    }
                });
        WebClient web = WebClient.create(vertx);
        try (Kbsync kbsync = new Kbsync(
                vertx,
                KbsyncConfig.of(
                        coordinator.url(),
                        CoordinatorFixture.CLIENT_TOKEN,
                        tmp.resolve("cache-bot"),
                        List.of(new KbConfig(KbId.of("fb"), remote, "main"))),
                Map.of())) {
            String id = coordinator
                    .submitNote("fb", "alice", "written while redis dies", "In flight")
                    .id();
            assertThat(applied.await(60, TimeUnit.SECONDS)).isTrue();

            redis.process().kill();
            proceed.countDown();

            await().atMost(Duration.ofSeconds(120)).until(() -> GitFixture.commitsForJob(bare, id) == 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.mode().equals("degraded"));
            JsonObject health = CoordinatorFixture.await(
                            web.get(worker.httpPort(), "127.0.0.1", "/healthz").send())
                    .bodyAsJsonObject();
            assertThat(health.getString("mode")).isEqualTo("degraded");
            assertThat(CoordinatorFixture.await(web.get(worker.httpPort(), "127.0.0.1", "/metrics")
                                    .send())
                            .bodyAsString())
                    .contains("kbsync_worker_degraded 1");

            try (KbSession session = kbsync.open("fb", "create_note_user_7")) {
                assertThat(session.degraded()).isTrue();
                session.write("bot/note.md", "written by the bot in degraded mode\n");
                assertThat(session.commitAndPush("Add: bot note")).isInstanceOf(Outcome.Published.class);
            }
            assertThat(kbsync.mode()).isEqualTo("degraded");

            redis.process().restart();
            await().atMost(Duration.ofSeconds(120)).until(() -> worker.mode().equals("coordinated"));

            List<RevCommit> history = GitFixture.history(bare);
            assertThat(history).extracting(RevCommit::getShortMessage).contains("Add: In flight", "Add: bot note");
            assertThat(history).allMatch(c -> c.getParentCount() <= 1);
        } finally {
            web.close();
            worker.stop();
            coordinator.close();
            CoordinatorFixture.await(vertx.close());
        }
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
