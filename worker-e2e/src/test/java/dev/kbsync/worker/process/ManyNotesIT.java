package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** 3 workers, 3 KBs, {@value #NOTES} notes: every note lands exactly once, histories linear, fences increasing. */
class ManyNotesIT {
    private static final Logger log = LoggerFactory.getLogger(ManyNotesIT.class);
    private static final int NOTES = 300;
    private static final List<String> KBS = List.of("kb-a", "kb-b", "kb-c");

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldLandEveryNoteExactlyOnceWithLinearHistoriesAndIncreasingFences() {
        Vertx vertx = Vertx.vertx();
        Map<String, String> remotes = new LinkedHashMap<>();
        KBS.forEach(kb -> remotes.put(kb, GitFixture.bareRemote(tmp.resolve(kb + ".git"))));
        List<WorkerProcess> workers = new ArrayList<>();
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(15), remotes)) {
            for (int w = 1; w <= 3; w++) {
                workers.add(WorkerFixture.start(
                        vertx,
                        WorkerFixture.config(
                                coordinator.url(), "w" + w, tmp.resolve("cache-w" + w), 3, Optional.empty()),
                        PhaseListener.NONE));
            }
            long start = System.nanoTime();
            Map<String, List<String>> jobsByKb = new LinkedHashMap<>();
            IntStream.range(0, NOTES).parallel().forEach(i -> {
                String kb = KBS.get(i % KBS.size());
                String id = coordinator
                        .submitNote(kb, "user" + (i % 17), "note number " + i, "Note " + i)
                        .id();
                synchronized (jobsByKb) {
                    jobsByKb.computeIfAbsent(kb, k -> new ArrayList<>()).add(id);
                }
            });
            List<String> all = jobsByKb.values().stream().flatMap(List::stream).toList();
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> workers.stream()
                                    .mapToLong(w -> w.metrics().jobsDone())
                                    .sum()
                            >= NOTES);
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            Duration meanGit = Duration.ofNanos((long) workers.stream()
                    .mapToLong(w -> w.metrics().meanGitTime().toNanos())
                    .average()
                    .orElse(0));
            log.info(
                    "MEASURED: {} notes on {} KBs by 3 workers (concurrency 3) in {} ms; mean git time per publish cycle {} ms",
                    NOTES,
                    KBS.size(),
                    wall.toMillis(),
                    meanGit.toMillis());

            assertThat(all)
                    .hasSize(NOTES)
                    .allMatch(id -> coordinator.jobState(id).equals("done"));
            for (String kb : KBS) {
                List<RevCommit> history = GitFixture.history(tmp.resolve(kb + ".git"));
                assertThat(history).allMatch(c -> c.getParentCount() <= 1);
                Map<String, Long> perJob = history.stream()
                        .map(c -> GitFixture.trailers(c).get("Kbsync-Job"))
                        .filter(java.util.Objects::nonNull)
                        .collect(Collectors.groupingBy(j -> j, Collectors.counting()));
                assertThat(perJob.keySet()).containsExactlyInAnyOrderElementsOf(jobsByKb.get(kb));
                assertThat(perJob.values()).allMatch(n -> n == 1);
                List<Long> fences = history.stream()
                        .map(c -> GitFixture.trailers(c).get("Kbsync-Fence"))
                        .filter(java.util.Objects::nonNull)
                        .map(Long::parseLong)
                        .toList();
                for (int i = 1; i < fences.size(); i++) {
                    assertThat(fences.get(i))
                            .as("fence order in %s (newest first)", kb)
                            .isLessThan(fences.get(i - 1));
                }
            }
        } finally {
            workers.forEach(WorkerProcess::stop);
            CoordinatorFixture.await(vertx.close());
        }
    }
}
