package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs that wait for a git host that is down do not take the worker's poll slots from healthy KBs: a worker with two
 * slots whose two KBs on a down host each hold a waiting job still lands a third KB's note at once, shows every job it
 * runs in its presence, and lands the waiting notes once the host is back.
 */
class DownHostSlotsIT {
    private static final String TOKEN = "down-host-token-0123456789";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;
    private GitHttpServer down;
    private GitHttpServer up;

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.stop();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (down != null) {
            down.close();
        }
        if (up != null) {
            up.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldLandAHealthyKbsNoteWhileJobsOfADownHostWaitInEverySlot() throws Exception {
        start();
        down.outage(503);
        String a = note("a", "a while its host is down");
        String b = note("b", "b while its host is down");
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> isWaiting(a) && isWaiting(b));

        long submitted = System.nanoTime();
        String healthy = note("healthy", "on a healthy host");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> coordinator.jobState(healthy).equals("done"));
        long landedMs = Duration.ofNanos(System.nanoTime() - submitted).toMillis();
        System.out.println("the healthy KB's note landed " + landedMs + " ms after its submit, two jobs waiting");
        assertThat(isWaiting(a) && isWaiting(b))
                .as("both still wait for their host")
                .isTrue();

        WorkerPresence presence = awaitPresence(p -> p.running().size() == 2 && p.idleSlots() == 2);
        assertThat(presence.slots())
                .as("two waiting jobs and two polling slots")
                .isEqualTo(4);
        assertThat(presence.running())
                .extracting(WorkerPresence.RunningJob::jobId)
                .containsExactlyInAnyOrder(a, b);
        assertThat(presence.running())
                .extracting(WorkerPresence.RunningJob::slot)
                .allSatisfy(slot -> assertThat(slot).isBetween(1, presence.slots()));

        down.endOutage();
        coordinator.assertDone(a);
        coordinator.assertDone(b);
        assertThat(GitFixture.commitsForJob(tmp.resolve("down/a.git"), a)).isEqualTo(1);
        assertThat(GitFixture.commitsForJob(tmp.resolve("down/b.git"), b)).isEqualTo(1);
        WorkerPresence after = awaitPresence(p -> p.running().isEmpty() && p.slots() == 2);
        assertThat(after.idleSlots()).as("back to its two poll slots").isEqualTo(2);
    }

    private boolean isWaiting(String id) {
        var job = coordinator.job(id);
        return job.state() == JobState.RUNNING
                && job.doing() != null
                && job.doing().startsWith("waiting for");
    }

    private WorkerPresence awaitPresence(Predicate<WorkerPresence> condition) {
        WorkerPresence[] found = new WorkerPresence[1];
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    found[0] = coordinator.client().workers().workers().stream()
                            .filter(w -> w.id().equals("w1"))
                            .map(Worker::presence)
                            .findFirst()
                            .orElse(null);
                    return found[0] != null && condition.test(found[0]);
                });
        return found[0];
    }

    private void start() throws Exception {
        vertx = Vertx.vertx();
        Path downRemotes = Files.createDirectories(tmp.resolve("down"));
        Path upRemotes = Files.createDirectories(tmp.resolve("up"));
        GitFixture.bareRemote(downRemotes.resolve("a.git"));
        GitFixture.bareRemote(downRemotes.resolve("b.git"));
        GitFixture.bareRemote(upRemotes.resolve("healthy.git"));
        down = new GitHttpServer(downRemotes, TOKEN::equals);
        up = new GitHttpServer(upRemotes, TOKEN::equals);
        Files.writeString(tmp.resolve("worker.env"), "KB_TOKEN=" + TOKEN + "\n");
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(2), Map.of());
        register("a", down.url("a.git"));
        register("b", down.url("b.git"));
        register("healthy", up.url("healthy.git"));
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.withCredentials(
                        WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache"), 2, Optional.empty()),
                        new CredentialSettings(
                                Optional.of(tmp.resolve("worker.env")), List.of(), "KB_", Optional.empty())),
                PhaseListener.NONE);
    }

    private void register(String kb, String remote) {
        coordinator.register(
                new KbConfig(KbId.of(kb), remote, "main").withCredentials(new CredentialRef.Env("KB_TOKEN", null)));
    }

    private String note(String kb, String text) {
        return coordinator.submitNote(kb, "ada", text, text).id();
    }
}
