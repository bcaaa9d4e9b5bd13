package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart as a bot's {@code awaitJob} sees it: two coordinators on one Redis, a job waited for on the first
 * one's event stream, and the first one stopped (which closes its streams). The wait goes on on the second one and ends
 * with the job done once a worker lands it there.
 */
class AwaitJobAcrossStopIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldGoOnWaitingForAJobOnTheNextCoordinatorWhenItsCoordinatorStops() throws Exception {
        Map<String, String> remotes = Map.of("kb-a", GitFixture.bareRemote(tmp.resolve("kb-a.git")));
        Duration ttl = Duration.ofSeconds(5);
        Vertx vertxA = Vertx.vertx();
        Vertx vertxB = Vertx.vertx();
        Vertx vertxW = Vertx.vertx();
        CoordinatorFixture a = CoordinatorFixture.startOn(vertxA, redis, ttl, remotes, "coord-a", 0);
        CoordinatorFixture b = CoordinatorFixture.startOn(vertxB, redis, ttl, remotes, "coord-b", 0);
        boolean aUp = true;
        WorkerProcess worker = null;
        List<URI> both = List.of(a.url(), b.url());
        try (KbsyncClient client = KbsyncClient.create(
                ClientOptions.of(both, CoordinatorFixture.CLIENT_TOKEN).withProbeInterval(Duration.ofMillis(500)))) {
            Job queued = client.submitNote(KbId.of("kb-a"), NoteRequest.of("alice", "lands after the stop"));
            Future<Job> waited = client.async().awaitJob(queued.id(), Duration.ofSeconds(60));
            Thread.sleep(1000); // no worker yet: the wait follows the job's stream on the first coordinator
            assertThat(waited.isComplete()).isFalse();

            a.close(); // its stop closes the job's stream
            aUp = false;
            CoordinatorFixture.await(vertxA.close());
            Thread.sleep(2000);
            assertThat(waited.isComplete())
                    .as("the wait outlives its coordinator's stop: %s", waited.cause())
                    .isFalse();

            worker = WorkerFixture.start(
                    vertxW,
                    WorkerFixture.config(both, "w1", tmp.resolve("cache-w1"), 1, Optional.empty(), ttl, 4),
                    PhaseListener.NONE);
            Job done = waited.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

            assertThat(done.state()).isEqualTo(JobState.DONE);
            assertThat(done.commit()).isNotNull();
            assertThat(client.coordinator()).isEqualTo(b.url());
        } finally {
            if (worker != null) {
                worker.stop();
            }
            b.close();
            if (aUp) {
                a.close();
            }
            CoordinatorFixture.await(vertxW.close());
            CoordinatorFixture.await(vertxB.close());
            CoordinatorFixture.await(vertxA.close());
        }
    }
}
