package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.ClientHttp;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notes keep landing while Redis is down: two coordinators with degraded-mode journals, a real worker on each, one bare
 * git remote. Redis is SIGSTOPped for 6 s while notes go to both coordinators throughout; every answer is 202 or 503
 * with Retry-After; notes accepted in degraded mode are committed to the remote during the outage (each coordinator
 * hands its journal's jobs to its own worker under local fencing tokens); after Redis returns every 202's note is
 * committed exactly once (counted by its Kbsync-Job trailer on the remote), no job id is committed twice, the fences
 * along the branch strictly grow, and the notes granted by Redis after its return carry tokens above every fence
 * written during the outage.
 */
class DegradedEndToEndIT {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedEndToEndIT.class);
    /** The outage's least length: 6 s in the suite; {@code -Dkbsync.degraded.outageSeconds=60} for the 60 s soak. */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("kbsync.degraded.outageSeconds", 6));

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private final List<CoordinatorFixture> coordinators = new ArrayList<>();
    private final List<WorkerProcess> workers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        workers.forEach(WorkerProcess::stop);
        coordinators.forEach(CoordinatorFixture::close);
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldCommitEveryNoteAcceptedDuringAnOutageExactlyOnce() {
        Path bare = tmp.resolve("outage.git");
        Map<String, String> kbs = Map.of("outage", GitFixture.bareRemote(bare));
        for (String id : List.of("c1", "c2")) {
            coordinators.add(CoordinatorFixture.start(
                    vertx,
                    redis,
                    Duration.ofSeconds(10),
                    kbs,
                    Map.of(
                            "KBSYNC_COORDINATOR_ID",
                            id,
                            "KBSYNC_DEGRADED_JOURNAL_DIR",
                            tmp.resolve("journal-" + id).toString())));
            workers.add(WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(
                            coordinators.get(coordinators.size() - 1).url(),
                            "w-" + id,
                            tmp.resolve("cache-" + id),
                            1,
                            Optional.empty()),
                    PhaseListener.NONE));
        }
        List<String> accepted = new ArrayList<>();
        Set<String> journaled = new HashSet<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int degraded = 0;
        int n = 0;
        for (; n < 4; n++) {
            degraded += submit(n, accepted, journaled, statuses);
        }
        redis.process().pause();
        long pausedAt = System.nanoTime();
        long landedDuringOutage = 0;
        // at least OUTAGE, and until the coordinators took a few notes into their journals and a worker committed one
        // of them (however loaded the machine)
        while (System.nanoTime() - pausedAt < OUTAGE.toNanos()
                || ((degraded < 8 || landedDuringOutage == 0)
                        && System.nanoTime() - pausedAt < OUTAGE.plusSeconds(20).toNanos())) {
            degraded += submit(n++, accepted, journaled, statuses);
            sleep(OUTAGE.toSeconds() > 10 ? 250 : 50);
            landedDuringOutage =
                    GitFixture.jobs(bare).stream().filter(journaled::contains).count();
        }
        long outageMs = (System.nanoTime() - pausedAt) / 1_000_000;
        List<Long> outageFences = fences(bare);
        landedDuringOutage =
                GitFixture.jobs(bare).stream().filter(journaled::contains).count();
        redis.process().resume();
        long resumedAt = System.nanoTime();
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            submit(n++, after, new HashSet<>(), statuses);
        }
        accepted.addAll(after);

        await().atMost(Duration.ofSeconds(60).plus(OUTAGE.multipliedBy(2)))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> accepted.stream().allMatch(id -> "done".equals(state(id))));
        long doneMs = (System.nanoTime() - resumedAt) / 1_000_000;
        List<String> committed = GitFixture.jobs(bare);
        LOG.info(
                "outage {} ms: {} submissions {}, {} accepted in degraded mode, {} of them committed during the"
                        + " outage; all {} accepted notes done {} ms after Redis returned; {} commits with a"
                        + " Kbsync-Job trailer",
                outageMs,
                n,
                statuses,
                degraded,
                landedDuringOutage,
                accepted.size(),
                doneMs,
                committed.size());

        assertThat(statuses.keySet()).isSubsetOf(202, 503);
        assertThat(degraded).isPositive();
        assertThat(landedDuringOutage)
                .as("notes accepted in degraded mode committed during the outage")
                .isPositive();
        assertThat(committed).as("no job committed twice").doesNotHaveDuplicates();
        for (String id : accepted) {
            assertThat(committed.stream().filter(id::equals).count()).as(id).isEqualTo(1);
        }
        // a 503 for a submission under way when Redis stopped may still land (at most one job per such 503)
        assertThat(committed.size() - accepted.size()).isBetween(0, statuses.getOrDefault(503, 0));
        List<Long> fences = fences(bare);
        for (int i = 1; i < fences.size(); i++) {
            assertThat(fences.get(i - 1)).as("fences grow along the branch").isGreaterThan(fences.get(i));
        }
        long outageMax = outageFences.stream().mapToLong(Long::longValue).max().orElse(0);
        for (String id : after) {
            assertThat(fence(bare, id))
                    .as("the Redis grant of " + id + " is above every fence written during the outage")
                    .isGreaterThan(outageMax);
        }
        assertThat(doneMs)
                .as("every accepted note done after Redis returned, ms")
                .isLessThan(Duration.ofSeconds(60).plus(OUTAGE).toMillis());
    }

    /** The Kbsync-Fence trailers on the remote's branch, newest first. */
    private static List<Long> fences(Path bare) {
        return GitFixture.history(bare).stream()
                .map(c -> GitFixture.trailers(c).get("Kbsync-Fence"))
                .filter(fence -> fence != null)
                .map(Long::parseLong)
                .toList();
    }

    /** The fence of job {@code id}'s commit on the remote. */
    private static long fence(Path bare, String id) {
        return GitFixture.history(bare).stream()
                .map(GitFixture::trailers)
                .filter(t -> id.equals(t.get("Kbsync-Job")))
                .map(t -> Long.parseLong(t.get("Kbsync-Fence")))
                .findFirst()
                .orElseThrow();
    }

    /**
     * Submits note {@code i} to coordinator {@code i % 2}; 1 when it was accepted in degraded mode (its id then also in
     * {@code journaled}).
     */
    private int submit(int i, List<String> accepted, Set<String> journaled, Map<Integer, Integer> statuses) {
        HttpResponse<String> response = ClientHttp.send(
                coordinators.get(i % 2).url(),
                "POST",
                "/v1/kbs/outage/notes",
                new JsonObject()
                        .put("user", "u" + (i % 3))
                        .put("text", "note " + i)
                        .put("title", "Note " + i));
        statuses.merge(response.statusCode(), 1, Integer::sum);
        if (response.statusCode() == 503) {
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
        }
        if (response.statusCode() != 202) {
            return 0;
        }
        JsonObject job = new JsonObject(response.body());
        accepted.add(job.getString("id"));
        if (!"degraded".equals(job.getString("mode"))) {
            return 0;
        }
        journaled.add(job.getString("id"));
        return 1;
    }

    private String state(String id) {
        HttpResponse<String> response = ClientHttp.send(coordinators.get(0).url(), "GET", "/v1/jobs/" + id, null);
        return response.statusCode() == 200 ? new JsonObject(response.body()).getString("state") : null;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
