package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Scripts;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet mixing a worker without an agent and one with: agent tasks go only to the worker that runs agents (they wait
 * for it while it is away), and are refused while no known worker runs agents. A Redis of its own: which workers are
 * known is the point.
 */
class MixedFleetIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private CoordinatorFixture coordinator;

    @AfterEach
    void tearDown() {
        workers.forEach(WorkerProcess::stop);
        if (coordinator != null) {
            coordinator.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldLeaveAgentTasksToWorkersThatRunAgentsInAMixedFleet() throws IOException {
        Path bare = tmp.resolve("mixed.git");
        Path notesBare = tmp.resolve("plain.git");
        coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                Duration.ofSeconds(10),
                Map.of("mixed", GitFixture.bareRemote(bare), "plain", GitFixture.bareRemote(notesBare)));
        startWorker("notes-only", Optional.empty(), PhaseListener.NONE);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !coordinator.client().workers().workers().isEmpty());
        assertThatThrownBy(() -> coordinator.submitAgentTask("mixed", "carol", "nobody runs agents"))
                .as("while no known worker runs agents, an agent task is refused, not left to hold its KB")
                .isInstanceOfSatisfying(
                        KbsyncException.Conflict.class,
                        e -> assertThat(e.code()).isEqualTo("NO_AGENT_WORKER"));

        Files.createDirectories(tmp.resolve("scripts"));
        Optional<AgentCommand> agent = Optional.of(
                Scripts.agent(tmp.resolve("scripts"), "agent", "echo done > task.md", Duration.ofSeconds(60)));
        WorkerProcess away = startWorker("agents", agent, PhaseListener.NONE);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> coordinator.client().workers().workers().size() == 2);
        away.stop(); // known, but away: its tasks wait for it
        workers.remove(away);

        String task =
                coordinator.submitAgentTask("mixed", "carol", "do something").id();
        String note = coordinator
                .submitNote("plain", "dave", "Dave's note", "From Dave")
                .id();
        coordinator.awaitDone(List.of(note)); // the worker without an agent polls and works
        sleep(Duration.ofSeconds(2));
        assertThat(coordinator.jobState(task)).isEqualTo("queued"); // not taken by a worker that cannot run it

        startWorker("agents", agent, PhaseListener.NONE);
        coordinator.awaitDone(List.of(task));
        assertThat(GitFixture.history(bare)).hasSize(2);
    }

    private WorkerProcess startWorker(String id, Optional<AgentCommand> agent, PhaseListener listener) {
        WorkerProcess worker = WorkerFixture.start(
                vertx, WorkerFixture.config(coordinator.url(), id, tmp.resolve("cache-" + id), 1, agent), listener);
        workers.add(worker);
        return worker;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
