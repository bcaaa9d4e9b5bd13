package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker started without the CLI's port probe (WorkerMain, library users) against a real coordinator: one that cannot
 * bind its health port fails before it polls, so it takes no job and never shows as present.
 */
class WorkerStartIT {
    private static final String WORKER = "w-port-taken";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private CoordinatorFixture coordinator;

    @AfterEach
    void tearDown() {
        if (coordinator != null) {
            coordinator.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldFailBeforePollingWhenItsHealthPortIsTaken() throws Exception {
        coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(1), Map.of("team", GitFixture.bareRemote(tmp.resolve("team.git"))));
        Job waiting = coordinator.submitNote("team", "alice", "hello", "Hello");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            WorkerConfig config = WorkerFixture.withHttpPort(
                    WorkerFixture.config(coordinator.url(), WORKER, tmp.resolve("cache"), 2, Optional.empty()),
                    taken.getLocalPort());

            Throwable failed = catchThrowable(
                    () -> CoordinatorFixture.await(WorkerProcess.start(vertx, config, Map.of(), PhaseListener.NONE)));

            assertThat(failed).hasRootCauseInstanceOf(BindException.class);
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        assertThat(coordinator.jobState(waiting.id()))
                                .as("the job no worker could take")
                                .isEqualTo("queued");
                        assertThat(coordinator.client().workers().workers()).noneMatch(w -> w.id().equals(WORKER));
                        assertThat(Thread.getAllStackTraces().keySet())
                                .as("poll slots left running")
                                .noneMatch(t -> t.getName().startsWith("kbsync-" + WORKER + "-slot-"));
                    });
        }
    }
}
