package dev.kbsync.worker.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.run.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A session's lease in library mode, with a short TTL (3 s): kept while the bot is busy, stopped once lost. */
class LibraryLeaseIT {
    private static final Duration TTL = Duration.ofSeconds(3);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private CoordinatorFixture coordinator;
    private String remote;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        remote = GitFixture.bareRemote(tmp.resolve("lib.git"));
        coordinator = CoordinatorFixture.start(vertx, redis, TTL, Map.of("lib", remote));
    }

    @AfterEach
    void tearDown() {
        coordinator.close();
        CoordinatorFixture.await(vertx.close());
    }

    /**
     * A Vert.x bot opens sessions off its event loop, in {@code executeBlocking}: opens waiting for the KB fill its
     * worker pool, and the holder's heartbeats must still run, else its lease lapses under it.
     */
    @Test
    void shouldKeepTheHoldersLeaseWhileOpensWaitingForTheKbFillTheBotsWorkerPool() throws Exception {
        Vertx bot = Vertx.vertx(new VertxOptions().setWorkerPoolSize(2));
        try (Kbsync kbsync = kbsync(bot, "bot")) {
            List<Future<Boolean>> waiters;
            try (KbSession held = kbsync.open("lib", "holder")) {
                waiters = IntStream.range(0, 2)
                        .mapToObj(i -> bot.executeBlocking(
                                () -> {
                                    try (KbSession next = kbsync.open("lib", "waiter_" + i)) {
                                        return next.degraded();
                                    }
                                },
                                false))
                        .toList();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> coordinator
                                        .client()
                                        .queue(KbId.of("lib"))
                                        .waiters()
                                        .size()
                                == 2);
                Thread.sleep(TTL.multipliedBy(3).dividedBy(2).toMillis()); // the lease lives on its heartbeats alone

                held.write("held.md", "held\n");
                assertThat(held.commitAndPush("Add: held")).isInstanceOf(Outcome.Published.class);
            }
            for (Future<Boolean> waiter : waiters) {
                assertThat(CoordinatorFixture.await(waiter)).as("coordinated").isFalse();
            }
        } finally {
            CoordinatorFixture.await(bot.close());
        }
    }

    private Kbsync kbsync(Vertx on, String name) {
        return new Kbsync(
                on,
                KbsyncConfig.of(
                        coordinator.url(),
                        CoordinatorFixture.CLIENT_TOKEN,
                        tmp.resolve("cache-" + name),
                        List.of(new KbConfig(KbId.of("lib"), remote, "main"))),
                Map.of());
    }
}
