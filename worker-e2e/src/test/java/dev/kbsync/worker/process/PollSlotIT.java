package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A poll slot survives whatever a poll brings back or a job throws, and keeps polling (with backoff). */
class PollSlotIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger polls = new AtomicInteger();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldKeepPollingAfterAnAnswerItCannotRead() throws Exception {
        HttpServer coordinator = vertx.createHttpServer()
                .requestHandler(r -> {
                    polls.incrementAndGet();
                    r.response().setStatusCode(200).end("{\"lease\":\"not a lease\"}");
                })
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        URI url = URI.create("http://127.0.0.1:" + coordinator.actualPort());
        WorkerProcess worker = WorkerFixture.start(
                vertx, WorkerFixture.config(url, "w1", tmp, 1, Optional.empty()), PhaseListener.NONE);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> polls.get() >= 3);
        } finally {
            worker.stop();
        }
    }

    @Test
    void shouldKeepPollingAfterAJobThrowsSomethingUnexpected() throws Exception {
        shouldKeepPollingAfterAJobThrows(
                Phase.REPORTED, () -> new IllegalStateException("a bug in the job's own code"), "done");
    }

    /**
     * An Error that is not the JVM's own trouble (an assertion, a class that failed to initialise on first use) fails
     * the job like any bug, and the slot polls on: it is not ended for good without a report.
     */
    @Test
    void shouldKeepPollingAfterAJobThrowsAnError() throws Exception {
        shouldKeepPollingAfterAJobThrows(Phase.PULLED, AssertionError::new, "failed");
    }

    /** The first job throws {@code failure} at {@code at} and ends {@code firstEnds}; the second is done all the same. */
    private void shouldKeepPollingAfterAJobThrows(Phase at, Supplier<? extends Throwable> failure, String firstEnds)
            throws Exception {
        String remote = GitFixture.bareRemote(tmp.resolve("team.git"));
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("team", remote))) {
            Job first = coordinator.submitNote("team", "alice", "first", "First");
            AtomicInteger thrown = new AtomicInteger();
            PhaseListener once = (phase, id) -> {
                if (phase == at && thrown.getAndIncrement() == 0) {
                    sneakyThrow(failure.get());
                }
            };
            WorkerProcess worker = WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(
                            coordinator.url(),
                            "w1",
                            tmp.resolve("cache"),
                            1,
                            Optional.empty(),
                            Duration.ofSeconds(30),
                            1),
                    once);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> thrown.get() > 0);
                Job second = coordinator.submitNote("team", "bob", "second", "Second");

                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> coordinator.job(second.id()).state().terminal());
                assertThat(coordinator.job(second.id()).state().wire()).isEqualTo("done");
                assertThat(coordinator.job(first.id()).state().wire()).isEqualTo(firstEnds);
            } finally {
                worker.stop();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
