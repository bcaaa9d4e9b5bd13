package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two coordinators on one Redis: what one did to the registry reaches the other even when its pub/sub message is lost
 * (a stalled process, a message dropped on a connection that stayed up), within seconds, by the other's own reads of
 * the registry. B reaches Redis through a proxy that drops the server's chunks naming the KB.
 */
@TimingSensitive
class MissedRegistryChangesIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final Duration CAUGHT_UP = Duration.ofSeconds(30);
    private static final Duration CALL = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private Vertx vertx;
    private FaultProxy link;
    private Coordinator a;
    private Coordinator b;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        link = FaultProxy.to(redis.port());
        a = Coordinator.start(vertx, config("a", redis.uri(), dir.resolve("journal-a")))
                .await();
        b = Coordinator.start(vertx, config("b", link.uri(), dir.resolve("journal-b")))
                .await();
    }

    @AfterEach
    void stop() {
        redis.process().resume();
        b.stop().await();
        a.stop().await();
        link.close();
        vertx.close().await();
    }

    /**
     * A removal through A whose message B never got: B stops answering for the KB within seconds (its queue 404), and
     * its degraded mode forgets it, so a note for it during a later outage is refused at once (404) instead of
     * journaled and then refused by the restore (an accepted job lost).
     */
    @Test
    void shouldCatchUpARemovalWhoseMessageWasLost() throws InterruptedException {
        Http viaA = new Http(a.port());
        Http viaB = new Http(b.port());
        register(viaA, "lost-removal");
        viaB.awaitNormalWithEmptyJournal();
        awaitQueue(viaB, "lost-removal"); // a loaded B may answer 503 while its health probe misses

        link.dropServerChunksWith("lost-removal");
        Http.Answer removed = viaA.send("DELETE", "/v1/kbs/lost-removal", null);
        assertThat(removed.status()).as(removed.body().encode()).isIn(200, 204);
        Thread.sleep(1_000); // the removal's message went out, and was dropped on its way to B
        link.dropServerChunksWith(null);

        await().atMost(CAUGHT_UP)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> viaB.get("/v1/kbs/lost-removal/queue").status() == 404);
        Thread.sleep(1_000); // degraded mode hears of it on the same read
        redis.process().pause();
        viaB.awaitDegraded(Duration.ofSeconds(15));
        Http.Answer note = viaB.note("lost-removal", "ann", "for a KB removed elsewhere");
        assertThat(note.status()).as(note.body().encode()).isEqualTo(404);
    }

    /**
     * A KB removed and registered again through A (the registration sends no message): B's degraded mode, which heard
     * the removal, learns of the registration by its own read, and during a later outage journals a note for the KB
     * (202) instead of refusing it 404 as removed, for good.
     */
    @Test
    void shouldLearnAKbRegisteredAgainElsewhereBeforeAnOutage() {
        Http viaA = new Http(a.port());
        Http viaB = new Http(b.port());
        register(viaA, "back-again");
        viaB.awaitNormalWithEmptyJournal();
        awaitQueue(viaB, "back-again");
        Http.Answer removed = viaA.send("DELETE", "/v1/kbs/back-again", null);
        assertThat(removed.status()).as(removed.body().encode()).isIn(200, 204);
        await().atMost(CAUGHT_UP)
                .until(() -> viaB.get("/v1/kbs/back-again/queue").status() == 404);

        register(viaA, "back-again");
        // what B's degraded mode knows is kept in its journal directory: the KB is back there once B read the registry
        Path known = dir.resolve("journal-b").resolve("kbs.json");
        await().atMost(CAUGHT_UP)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> Files.exists(known) && Files.readString(known).contains("back-again"));
        redis.process().pause(); // an outage now, with no Redis answer in between that would resync B on its own
        viaB.awaitDegraded(Duration.ofSeconds(15));
        Http.Answer note = viaB.noteMinimal("back-again", "ann", "for a KB registered again");
        assertThat(note.status()).as(note.body().encode()).isEqualTo(202);
    }

    /**
     * A removal takes the KB out of the registry's list just before the step that removes it, and puts it back if
     * that step finds it in use: a read of the list in between (B's catch-up) must not forget a KB that was not removed.
     * The window is held open here by taking the KB out of the list alone, its registration in its slot left in place.
     */
    @Test
    void shouldNotForgetAKbOutOfTheListOnlyWhileARemovalChecksIt() throws InterruptedException {
        Http viaA = new Http(a.port());
        Http viaB = new Http(b.port());
        register(viaA, "in-use");
        awaitQueue(viaB, "in-use");
        String registration = String.valueOf(RespClient.once(redis.port(), CALL, "HGET", "kbsync:kbs", "in-use"));
        RespClient.once(redis.port(), CALL, "HDEL", "kbsync:kbs", "in-use");
        try {
            Thread.sleep(Engine.CATCH_UP_EVERY.toMillis() + 3_000); // a catch-up read falls in the window
            assertThat(answeredOtherThan503(viaB, "/v1/kbs/in-use/queue"))
                    .as("the KB whose removal did not happen is still served")
                    .isEqualTo(200);
        } finally {
            RespClient.once(redis.port(), CALL, "HSET", "kbsync:kbs", "in-use", registration);
        }
    }

    /**
     * Registers {@code kb} through {@code http}, waiting out 503s: a coordinator just started while the shared Redis
     * resumes from the previous test's pause answers 503 until its health probe hits (a loaded full run saw 16 s).
     */
    private static void register(Http http, String kb) {
        Http.Answer[] put = new Http.Answer[1];
        await().atMost(CAUGHT_UP).pollInterval(Duration.ofMillis(250)).until(() -> {
            put[0] = http.send(
                    "PUT",
                    "/v1/kbs/" + kb,
                    new JsonObject().put("remote", "/srv/git/" + kb + ".git").put("branch", "main"));
            return put[0].status() != 503;
        });
        assertThat(put[0].status()).as(put[0].body().encode()).isIn(200, 201);
    }

    private static dev.kbsync.coordinator.config.CoordinatorConfig config(String id, String redisUri, Path journal) {
        return WaitingForRedis.config(
                redis,
                Optional.of(journal),
                "conf=/srv/git/conf.git#main",
                Map.of("KBSYNC_COORDINATOR_ID", id, "KBSYNC_REDIS_ADDRESS", redisUri));
    }

    /** Waits until {@code via} answers the KB's queue 200 (a 503 while its Redis probe misses is passing). */
    private static void awaitQueue(Http via, String kb) {
        await().atMost(CAUGHT_UP)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> via.get("/v1/kbs/" + kb + "/queue").status() == 200);
    }

    /** {@code via}'s answer to {@code path} once it is other than 503 (which a loaded coordinator gives for a while). */
    private static int answeredOtherThan503(Http via, String path) {
        int[] status = {503};
        await().atMost(CAUGHT_UP).pollInterval(Duration.ofMillis(250)).until(() -> {
            status[0] = via.get(path).status();
            return status[0] != 503;
        });
        return status[0];
    }
}
