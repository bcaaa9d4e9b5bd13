package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Critical sections of one KB never overlap under load from two coordinators; other KBs never wait for it. */
class MutualExclusionIT {
    private static final int HOLDERS = 16;
    private static final int ROUNDS = 13;
    private static final List<String> KBS = List.of("mx-a", "mx-b", "mx-c");

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;

    /** One critical section: monotonic enter and exit, and the fencing token it ran under. */
    record Interval(long enter, long exit, long fence) {}

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        for (String id : List.of("m1", "m2")) {
            EngineConfig base = Coordinators.config(id);
            coordinators.start(new EngineConfig(
                    id,
                    base.leaseTtl(),
                    base.maxHold(),
                    Duration.ofSeconds(5),
                    base.lockWatchdog(),
                    base.sweepInterval()));
        }
        coordinators.register(coordinators.node(0).engine(), "mx-a", "mx-b", "mx-c", "par-a", "par-b");
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldNeverOverlapCriticalSectionsOfOneKbAndKeepFencesIncreasing() {
        Map<String, List<Interval>> log = new ConcurrentHashMap<>();
        List<Future<Void>> holders = new ArrayList<>();
        for (String kb : KBS) {
            List<Interval> intervals = Collections.synchronizedList(new ArrayList<>());
            log.put(kb, intervals);
            for (int h = 0; h < HOLDERS; h++) {
                holders.add(hold(h % 2, KbId.of(kb), "holder-" + h, ROUNDS, intervals));
            }
        }
        holders.forEach(Coordinators::await);

        for (String kb : KBS) {
            List<Interval> intervals = new ArrayList<>(log.get(kb));
            intervals.sort(Comparator.comparingLong(Interval::enter));
            assertThat(intervals).hasSize(HOLDERS * ROUNDS);
            for (int i = 1; i < intervals.size(); i++) {
                assertThat(intervals.get(i).enter())
                        .as("KB %s section %d starts after section %d ended", kb, i, i - 1)
                        .isGreaterThan(intervals.get(i - 1).exit());
                assertThat(intervals.get(i).fence())
                        .isGreaterThan(intervals.get(i - 1).fence());
            }
        }
    }

    @Test
    void shouldGrantOtherKbsWhileOneIsHeld() {
        LeaseService leases = coordinators.node(0).engine().services().leases();
        Lease longHold = await(LeaseClient.granted(
                coordinators.node(0), await(leases.request(KbId.of("par-a"), "slow", Duration.ofSeconds(30)))));

        List<Interval> other = Collections.synchronizedList(new ArrayList<>());
        await(hold(1, KbId.of("par-b"), "fast", 20, other));

        assertThat(other).hasSize(20);
        assertThat(await(leases.get(longHold.id())).state()).isEqualTo(LeaseState.GRANTED);
        await(leases.release(longHold.id()));
    }

    /** A holder that takes the KB {@code rounds} times through coordinator {@code node}, recording each section. */
    private static Future<Void> hold(int node, KbId kb, String holder, int rounds, List<Interval> intervals) {
        if (rounds == 0) {
            return Future.succeededFuture();
        }
        Coordinators.Node coordinator = coordinators.node(node);
        LeaseService leases = coordinator.engine().services().leases();
        return leases.request(kb, holder, Duration.ofSeconds(10))
                .compose(lease -> LeaseClient.granted(coordinator, lease))
                .compose(lease -> {
                    long enter = System.nanoTime();
                    Promise<Void> held = Promise.promise();
                    coordinator.vertx().setTimer(1, t -> {
                        intervals.add(new Interval(enter, System.nanoTime(), lease.fencingToken()));
                        held.complete();
                    });
                    return held.future().compose(v -> leases.release(lease.id()));
                })
                .compose(v -> hold(node, kb, holder, rounds - 1, intervals));
    }
}
