package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.ClientHttp;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker with one slot whose job, granted by Redis, pushed just as Redis stopped: its result cannot be recorded until
 * Redis returns, yet the slot goes on serving its degraded coordinator (the notes journaled meanwhile are committed
 * during the outage) and the result is delivered once Redis is back.
 */
class DegradedSlotIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger refused = new AtomicInteger();
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
    void shouldServeTheOutageWhileAResultWaitsForRedis() {
        Path bare = tmp.resolve("slot.git");
        coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                Duration.ofSeconds(10),
                Map.of("slot", GitFixture.bareRemote(bare)),
                Map.of("KBSYNC_DEGRADED_JOURNAL_DIR", tmp.resolve("journal").toString()));
        AtomicBoolean paused = new AtomicBoolean();
        List<String> accepted = new ArrayList<>();
        PhaseListener pauseAfterFirstPush = (phase, jobId) -> {
            if (phase == Phase.PUSHED && paused.compareAndSet(false, true)) {
                redis.process().pause(); // the push landed; its result now has no Redis to go to
            }
        };
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w-slot", tmp.resolve("cache"), 1, Optional.empty()),
                pauseAfterFirstPush);
        // A just-started coordinator on a loaded machine may miss two health probes while Redis answers, and journal
        // what it is sent meanwhile: the first note must reach Redis for this test, so it waits for the normal mode.
        awaitNormalMode();
        try {
            JsonObject first = submit("before the outage");
            assertThat(first.getString("mode")).isNull();
            await().atMost(Duration.ofSeconds(20)).untilTrue(paused);

            accepted.add(first.getString("id"));
            List<String> journaled = new ArrayList<>();
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        JsonObject job = submitOrNull("during the outage " + accepted.size());
                        if (job != null) {
                            accepted.add(job.getString("id"));
                            if ("degraded".equals(job.getString("mode"))) {
                                journaled.add(job.getString("id"));
                            }
                        }
                        return journaled.size() >= 2;
                    });

            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .alias("the notes journaled during the outage are committed during it, by the slot whose last"
                            + " result waits for Redis")
                    .until(() -> GitFixture.jobs(bare).containsAll(journaled));
            assertThat(GitFixture.jobs(bare)).contains(first.getString("id"));
        } finally {
            redis.process().resume();
        }
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .alias("every accepted note done once Redis is back, the first one's result delivered")
                .until(() -> accepted.stream().allMatch(id -> "done".equals(state(id))));
        List<String> committed = GitFixture.jobs(bare);
        assertThat(committed).doesNotHaveDuplicates().containsAll(accepted);
        // a 503 for a submission under way when Redis stopped may still land (at most one job per such 503)
        assertThat(committed.size() - accepted.size()).isBetween(0, refused.get());
    }

    /** Until {@code /readyz} answers Redis up, the normal mode and an empty journal. */
    private void awaitNormalMode() {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    HttpResponse<String> response = ClientHttp.send(coordinator.url(), "GET", "/readyz", null);
                    if (response.statusCode() != 200) {
                        return false;
                    }
                    JsonObject ready = new JsonObject(response.body());
                    return "normal".equals(ready.getString("mode")) && ready.getInteger("journal", -1) == 0;
                });
    }

    private JsonObject submit(String text) {
        JsonObject job = submitOrNull(text);
        assertThat(job).as("accepted: " + text).isNotNull();
        return job;
    }

    /** The job of a 202, or null for a 503 (Redis just stopped, not yet known to the coordinator). */
    private JsonObject submitOrNull(String text) {
        HttpResponse<String> response = ClientHttp.send(
                coordinator.url(),
                "POST",
                "/v1/kbs/slot/notes",
                new JsonObject().put("user", "ann").put("text", text).put("title", text));
        if (response.statusCode() == 503) {
            refused.incrementAndGet();
            return null;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return new JsonObject(response.body());
    }

    private String state(String id) {
        HttpResponse<String> response = ClientHttp.send(coordinator.url(), "GET", "/v1/jobs/" + id, null);
        return response.statusCode() == 200 ? new JsonObject(response.body()).getString("state") : null;
    }
}
