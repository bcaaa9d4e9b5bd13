package dev.kbsync.worker.process;

import static org.awaitility.Awaitility.await;

import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A poll slot survives whatever a poll brings back, and keeps polling (with backoff). */
class PollSlotIT {
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
}
