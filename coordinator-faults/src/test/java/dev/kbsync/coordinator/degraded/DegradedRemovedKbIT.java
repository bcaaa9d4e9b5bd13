package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KB removed through one coordinator is forgotten by every coordinator's degraded mode: during a later Redis outage a
 * note for it is refused 404 KB_NOT_FOUND, on the coordinator that removed it and on another one, not journaled.
 */
@TimingSensitive
class DegradedRemovedKbIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldRefuseNotesOfARemovedKbDuringAnOutageOnEveryCoordinator(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        Coordinator remover =
                Coordinator.start(vertx, config("c1", dir.resolve("c1"))).await();
        Coordinator other = null;
        try {
            Http here = new Http(remover.port());
            here.awaitNormalWithEmptyJournal();
            register(here, "gone");
            other = Coordinator.start(vertx, config("c2", dir.resolve("c2"))).await(); // knows "gone" from Redis
            Http there = new Http(other.port());
            there.awaitNormalWithEmptyJournal();
            Thread.sleep(1500); // the coordinators have heard each other's presence (a removal is told to known peers)

            Http.Answer removed = here.send("DELETE", "/v1/kbs/gone", null);
            assertThat(removed.status()).as(removed.body().encode()).isEqualTo(204);
            Thread.sleep(500); // the other coordinator hears of the removal through Redis pub/sub

            redis.process().pause();
            try {
                here.awaitDegraded(Duration.ofSeconds(20));
                there.awaitDegraded(Duration.ofSeconds(20));
                Http.Answer refusedHere = here.note("gone", "u", "too late");
                Http.Answer refusedThere = there.note("gone", "u", "too late");
                Http.Answer kept = there.note("kept", "u", "still accepted");

                assertThat(List.of(outcome(refusedHere), outcome(refusedThere), outcome(kept)))
                        .as("the removed KB here, there, and a KB still registered")
                        .containsExactly("404 KB_NOT_FOUND", "404 KB_NOT_FOUND", "202 degraded");
            } finally {
                redis.process().resume();
            }
        } finally {
            if (other != null) {
                other.stop().await();
            }
            remover.stop().await();
            vertx.close().await();
        }
    }

    @Test
    void shouldRefuseNotesOfAKbRemovedWhileThisCoordinatorWasStopped(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        Coordinator remover =
                Coordinator.start(vertx, config("c1", dir.resolve("c1"))).await();
        Coordinator restarted = null;
        try {
            Http here = new Http(remover.port());
            here.awaitNormalWithEmptyJournal();
            register(here, "missed");
            Coordinator stopped =
                    Coordinator.start(vertx, config("c2", dir.resolve("c2"))).await();
            new Http(stopped.port()).awaitNormalWithEmptyJournal(); // knows "missed" from Redis, kept in kbs.json
            stopped.stop().await();

            Http.Answer removed = here.send("DELETE", "/v1/kbs/missed", null);
            assertThat(removed.status()).as(removed.body().encode()).isEqualTo(204);
            restarted =
                    Coordinator.start(vertx, config("c2", dir.resolve("c2"))).await(); // missed the removal
            Http there = new Http(restarted.port());
            there.awaitNormalWithEmptyJournal();

            redis.process().pause();
            try {
                there.awaitDegraded(Duration.ofSeconds(20));
                Http.Answer refused = there.note("missed", "u", "too late");
                Http.Answer kept = there.note("kept", "u", "still accepted");

                assertThat(List.of(outcome(refused), outcome(kept)))
                        .as("the KB removed while this coordinator was stopped, and a KB still registered")
                        .containsExactly("404 KB_NOT_FOUND", "202 degraded");
            } finally {
                redis.process().resume();
            }
        } finally {
            if (restarted != null) {
                restarted.stop().await();
            }
            remover.stop().await();
            vertx.close().await();
        }
    }

    /**
     * A coordinator whose subscription was down while another removed two KBs (one it had used, one it knew only from
     * the registry) hears nothing of it; once subscribed again it reads the registry: a lease or queue read on the
     * first is refused KB_NOT_FOUND, as everywhere else, and during a later outage its degraded mode refuses notes of
     * both instead of journaling them.
     */
    @Test
    void shouldForgetKbsRemovedWhileItsSubscriptionWasDown(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        Coordinator remover = Coordinator.start(vertx, config("c1", dir.resolve("c1"), redis.uri()))
                .await();
        Coordinator deaf = null;
        try (FaultProxy proxy = FaultProxy.to(redis.port())) {
            Http here = new Http(remover.port());
            here.awaitNormalWithEmptyJournal();
            register(here, "untouched"); // known there from the registry only
            deaf = Coordinator.start(vertx, config("c2", dir.resolve("c2"), proxy.uri()))
                    .await();
            Http there = new Http(deaf.port());
            there.awaitNormalWithEmptyJournal();
            register(there, "used"); // used there
            Thread.sleep(1500); // the coordinators have heard each other's presence (a removal is told to known peers)

            long subscribed = subscribers();
            proxy.refuseNewFor(Duration.ofSeconds(4)); // its subscription, once cut, cannot come back for now
            RespClient.once(redis.port(), Duration.ofSeconds(5), "CLIENT", "KILL", "TYPE", "pubsub");
            await().atMost(Duration.ofSeconds(3)).until(() -> subscribers() > 0); // the remover's, back
            Thread.sleep(500); // the remover hears the other's presence again
            for (String kb : List.of("used", "untouched")) {
                Http.Answer removed = here.send("DELETE", "/v1/kbs/" + kb, null);
                assertThat(removed.status()).as(removed.body().encode()).isEqualTo(204);
            }
            assertThat(subscribers())
                    .as("the other coordinator's subscription is still down")
                    .isLessThan(subscribed);

            await().atMost(Duration.ofSeconds(30)).until(() -> subscribers() == subscribed);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(
                            () -> assertThat(there.get("/v1/kbs/used/queue").error())
                                    .as("the queue of a KB removed while unsubscribed, read where it was used")
                                    .isEqualTo("KB_NOT_FOUND"));
            Thread.sleep(500); // its degraded mode read the registry too

            redis.process().pause();
            try {
                there.awaitDegraded(Duration.ofSeconds(20));
                assertThat(List.of(
                                outcome(there.note("used", "u", "too late")),
                                outcome(there.note("untouched", "u", "too late")),
                                outcome(there.note("kept", "u", "still accepted"))))
                        .as("the removed KBs it used and did not use, and a KB still registered")
                        .containsExactly("404 KB_NOT_FOUND", "404 KB_NOT_FOUND", "202 degraded");
            } finally {
                redis.process().resume();
            }
        } finally {
            if (deaf != null) {
                deaf.stop().await();
            }
            remover.stop().await();
            vertx.close().await();
        }
    }

    private static void register(Http coordinator, String kb) {
        Http.Answer registered = coordinator.send(
                "PUT",
                "/v1/kbs/" + kb,
                new JsonObject().put("remote", "/srv/git/" + kb + ".git").put("branch", "main"));
        assertThat(registered.status()).as(registered.body().encode()).isEqualTo(200);
    }

    /** The connections subscribed to a channel on the Redis. */
    private static long subscribers() {
        Object list = RespClient.once(redis.port(), Duration.ofSeconds(5), "CLIENT", "LIST", "TYPE", "pubsub");
        return String.valueOf(list).lines().filter(line -> !line.isBlank()).count();
    }

    private static String outcome(Http.Answer answer) {
        return answer.status() + " " + (answer.status() == 202 ? answer.body().getString("mode") : answer.error());
    }

    private static CoordinatorConfig config(String id, Path journal) {
        return config(id, journal, redis.uri());
    }

    private static CoordinatorConfig config(String id, Path journal, String redisUri) {
        return CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_COORDINATOR_ID",
                        id,
                        "KBSYNC_HTTP_PORT",
                        "0",
                        "KBSYNC_AUTH_ENABLED",
                        "false",
                        "KBSYNC_REDIS_ADDRESS",
                        redisUri,
                        "KBSYNC_KBS",
                        "kept=/srv/git/kept.git#main",
                        "KBSYNC_DEGRADED_JOURNAL_DIR",
                        journal.toString()));
    }
}
