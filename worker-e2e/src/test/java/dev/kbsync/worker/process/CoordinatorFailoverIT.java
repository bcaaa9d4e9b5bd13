package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two coordinators on one Redis, two workers given both (first one preferred), notes submitted throughout (by a client
 * given both too): the first coordinator is stopped under load and started again. Every acknowledged note lands exactly
 * once (one {@code Kbsync-Job} trailer on the bare remote), on its first attempt (no lease expired because the workers
 * moved), and the workers move back to the first coordinator once it is ready again.
 */
class CoordinatorFailoverIT {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorFailoverIT.class);
    private static final int NOTES = 45;
    private static final int KILL_AT = 10;
    private static final int RESTART_AT = 28;
    private static final List<String> KBS = List.of("kb-a", "kb-b", "kb-c");

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldLoseAndRepeatNothingWhenACoordinatorDiesUnderLoadAndComeBackToIt() throws Exception {
        Map<String, String> remotes = new LinkedHashMap<>();
        KBS.forEach(kb -> remotes.put(kb, GitFixture.bareRemote(tmp.resolve(kb + ".git"))));
        Duration ttl = Duration.ofSeconds(5);
        int portA = freePort();
        Vertx vertxA = Vertx.vertx();
        Vertx vertxB = Vertx.vertx();
        Vertx vertxW = Vertx.vertx();
        CoordinatorFixture a = CoordinatorFixture.startOn(vertxA, redis, ttl, remotes, "coord-a", portA);
        CoordinatorFixture b = CoordinatorFixture.startOn(vertxB, redis, ttl, remotes, "coord-b", 0);
        List<URI> both = List.of(a.url(), b.url());
        List<WorkerProcess> workers = new ArrayList<>();
        Map<String, List<String>> jobsByKb = new ConcurrentHashMap<>();
        boolean aUp = true;
        RetryPolicy submitRetry = new RetryPolicy(50, Duration.ofMillis(50), Duration.ofMillis(500));
        try (KbsyncClient client = KbsyncClient.create(
                ClientOptions.of(both, CoordinatorFixture.CLIENT_TOKEN).withProbeInterval(Duration.ofMillis(500)))) {
            for (int w = 1; w <= 2; w++) {
                workers.add(WorkerFixture.start(
                        vertxW,
                        WorkerFixture.config(both, "w" + w, tmp.resolve("cache-w" + w), 2, Optional.empty(), ttl, 4),
                        PhaseListener.NONE));
            }
            long start = System.nanoTime();
            for (int i = 0; i < NOTES; i++) {
                if (i == KILL_AT) {
                    aUp = false;
                    a.close();
                    CoordinatorFixture.await(vertxA.close());
                    log.info("MEASURED: coordinator A stopped after {} notes", i);
                } else if (i == RESTART_AT) {
                    vertxA = Vertx.vertx();
                    a = CoordinatorFixture.startOn(vertxA, redis, ttl, remotes, "coord-a", portA);
                    aUp = true;
                    log.info("MEASURED: coordinator A started again after {} notes", i);
                }
                String kb = KBS.get(i % KBS.size());
                NoteRequest note = NoteRequest.of("user" + (i % 7), "note number " + i)
                        .withTitle("Note " + i)
                        .withIdempotencyKey("note-" + i);
                Job job = submitRetry.call(() -> client.submitNote(KbId.of(kb), note));
                jobsByKb.computeIfAbsent(kb, k -> new ArrayList<>()).add(job.id());
                Thread.sleep(60);
            }
            List<String> all = jobsByKb.values().stream().flatMap(List::stream).toList();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> all.stream()
                            .allMatch(id -> client.job(id).state().wire().equals("done")));
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> workers.stream().allMatch(w -> w.coordinator().equals(both.get(0))));
            log.info(
                    "MEASURED: {} notes done in {} ms across a coordinator stop and restart; worker moves {}",
                    NOTES,
                    Duration.ofNanos(System.nanoTime() - start).toMillis(),
                    workers.stream().map(w -> w.metrics().coordinatorMoves()).toList());

            assertThat(all).hasSize(NOTES).doesNotHaveDuplicates();
            // A job granted to a poll that the stopped coordinator could not answer any more was never claimed: it is
            // granted again when that grant lapses (one lease TTL), at most one such job per worker slot. Every other
            // job, held by a worker while it moved, must finish on its first attempt.
            assertThat(all.stream().map(client::job).filter(job -> job.attempts() > 1))
                    .as("no lease a worker held expired because of the move")
                    .hasSizeLessThanOrEqualTo(4)
                    .allSatisfy(job -> assertThat(job.attempts()).isEqualTo(2));
            assertThat(workers)
                    .as("each worker moved away from the stopped coordinator and back")
                    .allSatisfy(w -> assertThat(w.metrics().coordinatorMoves()).isGreaterThanOrEqualTo(2));
            for (String kb : KBS) {
                Map<String, Long> perJob = GitFixture.history(tmp.resolve(kb + ".git")).stream()
                        .map(c -> GitFixture.trailers(c).get("Kbsync-Job"))
                        .filter(Objects::nonNull)
                        .collect(Collectors.groupingBy(j -> j, Collectors.counting()));
                assertThat(perJob.keySet()).containsExactlyInAnyOrderElementsOf(jobsByKb.get(kb));
                assertThat(perJob.values()).as("one commit per job in %s", kb).allMatch(n -> n == 1);
            }
        } finally {
            workers.forEach(WorkerProcess::stop);
            b.close();
            if (aUp) {
                a.close();
            }
            CoordinatorFixture.await(vertxW.close());
            CoordinatorFixture.await(vertxB.close());
            CoordinatorFixture.await(vertxA.close());
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
