package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.service.WorkerRegistry;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The registry's one-script answer to "does any known worker run agents" ({@link WorkerRegistry#noAgentWorker()}) agrees
 * with the answer read from the listed records ({@link WorkerRegistry#noneRunsAgents}), whatever a record says of its
 * kinds: nothing (an older worker: every kind), notes only, only kinds this version does not know or none (as a newer
 * version may store them: no agent).
 */
class WorkerAgentsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static WorkerRegistry workers;
    static RedissonClient redisson;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        workers = coordinators.start(Coordinators.config("c1")).services().workers();
        Config config = new Config();
        config.useSingleServer().setAddress(redis.uri());
        redisson = Redisson.create(config);
    }

    @AfterAll
    static void stop() {
        redisson.shutdown();
        coordinators.close();
    }

    @Test
    void shouldAnswerAsTheListedRecordsSayForEveryFormOfKinds() {
        assertAgree(false, "no worker known: one may come");
        renew("notes", new JsonArray().add("note"));
        assertAgree(true, "the only worker runs notes");
        renew("newer", new JsonArray().add("review"));
        assertAgree(true, "a kind this version does not know is no agent");
        renew("empty", new JsonArray());
        assertAgree(true, "an empty list runs none of this version's kinds");
        renew("older", null);
        assertAgree(false, "a record without kinds runs every kind");
        renew("older", new JsonArray().add("note"));
        renew("agents", new JsonArray().add("agent"));
        assertAgree(false, "one worker runs agents");
    }

    /** A worker whose stored record says {@code kinds} (null: no such field), as any version may have stored it. */
    private static void renew(String id, JsonArray kinds) {
        WorkerPresence presence =
                new WorkerPresence("h", "v", 1, 1, false, List.of(), List.of(), Instant.parse("2026-12-05T04:00:00Z"));
        await(workers.renew(id, presence));
        JsonObject record = presence.toJson();
        record.remove("kinds");
        if (kinds != null) {
            record.put("kinds", kinds);
        }
        redisson.getMap("kbsync:{workers}:records", StringCodec.INSTANCE).put(id, record.encode());
    }

    private static void assertAgree(boolean expected, String why) {
        assertThat(await(workers.noAgentWorker())).as(why).isEqualTo(expected);
        assertThat(WorkerRegistry.noneRunsAgents(await(workers.list())))
                .as(why + " (listed)")
                .isEqualTo(expected);
    }
}
