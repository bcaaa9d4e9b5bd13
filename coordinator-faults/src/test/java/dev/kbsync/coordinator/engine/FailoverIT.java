package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** Two coordinators on one Redis: they publish the same queues, and one carries on when the other dies. */
@TimingSensitive
class FailoverIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Coordinators coordinators;

    @BeforeEach
    void start() {
        coordinators = new Coordinators(redis);
        coordinators.start(Coordinators.config("a"));
        coordinators.start(Coordinators.config("b"));
        coordinators.register(coordinators.node(0).engine(), "agree", "carry", "lapse", "handover", "jobs");
    }

    @AfterEach
    void stop() {
        coordinators.close();
    }

    @Test
    void shouldPublishTheSameQueueOnBothCoordinators() {
        KbId kb = KbId.of("agree");
        AtomicReference<JsonObject> onA = lastSnapshot(0, kb);
        AtomicReference<JsonObject> onB = lastSnapshot(1, kb);
        Lease holder = granted(0, await(leases(0).request(kb, "h", Duration.ofSeconds(10))));
        List<Lease> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiters.add(await(leases(i % 2).request(kb, "w" + i, Duration.ofSeconds(10))));
        }
        List<String> expected = waiters.stream().map(l -> ticket(l)).toList();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(tickets(onA.get())).containsExactlyElementsOf(expected);
            assertThat(tickets(onB.get())).containsExactlyElementsOf(expected);
            assertThat(onA.get().getJsonObject("holder").getLong("fencingToken"))
                    .isEqualTo(holder.fencingToken())
                    .isEqualTo(onB.get().getJsonObject("holder").getLong("fencingToken"));
        });
        await(leases(1).release(holder.id()));
        waiters.forEach(w -> await(leases(1).release(w.id())));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(tickets(onA.get())).isEmpty();
            assertThat(tickets(onB.get())).isEmpty();
        });
    }

    @Test
    void shouldCarryOnWhenTheDrivingCoordinatorDies() {
        KbId carry = KbId.of("carry");
        KbId lapse = KbId.of("lapse");
        Lease carried = granted(0, await(leases(0).request(carry, "survivor", Duration.ofSeconds(30))));
        int victim = driverNode(carry);
        int survivor = 1 - victim;
        Lease lapsing =
                granted(victim, await(leases(victim).request(lapse, "dies-with-victim", Duration.ofSeconds(2))));
        List<Lease> carryWaiters = new ArrayList<>();
        List<Lease> lapseWaiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            carryWaiters.add(await(leases(i % 2).request(carry, "c" + i, Duration.ofSeconds(10))));
            lapseWaiters.add(await(leases(i % 2).request(lapse, "l" + i, Duration.ofSeconds(10))));
        }
        List<Future<Lease>> carryGrants = keepAlive(survivor, carryWaiters);
        List<Future<Lease>> lapseGrants = keepAlive(survivor, lapseWaiters);
        Vertx survivorVertx = coordinators.node(survivor).vertx();
        long keepCarried = survivorVertx.setPeriodic(300, t -> leases(survivor).heartbeat(carried.id()));

        coordinators.kill(victim);

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(driverNode(carry)).isEqualTo(survivor));
        Lease stillHeld = await(leases(survivor).get(carried.id()));
        assertThat(stillHeld.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(stillHeld.fencingToken()).isEqualTo(carried.fencingToken());
        survivorVertx.cancelTimer(keepCarried);
        await(leases(survivor).release(carried.id()));

        assertGrantedInOrder(survivor, carryGrants, carried.fencingToken());
        assertGrantedInOrder(survivor, lapseGrants, lapsing.fencingToken());
        assertThat(await(leases(survivor).get(lapsing.id())).state()).isEqualTo(LeaseState.EXPIRED);
    }

    @Test
    void shouldHandKbsOverWhenTheDrivingCoordinatorStops() {
        KbId kb = KbId.of("handover");
        Lease holder = granted(0, await(leases(0).request(kb, "h", Duration.ofSeconds(30))));
        int stopping = driverNode(kb);
        int survivor = 1 - stopping;
        List<Lease> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(await(leases(i % 2).request(kb, "w" + i, Duration.ofSeconds(10))));
        }
        List<Future<Lease>> grants = keepAlive(survivor, waiters);

        await(coordinators.node(stopping).engine().stop());

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(driverNode(kb)).isEqualTo(survivor));
        assertThat(await(leases(survivor).get(holder.id())).state()).isEqualTo(LeaseState.GRANTED);
        await(leases(survivor).release(holder.id()));
        assertGrantedInOrder(survivor, grants, holder.fencingToken());
    }

    @Test
    void shouldHandJobGrantedOnOneCoordinatorToWorkerPollingTheOther() {
        JobService onA = coordinators.node(0).engine().services().jobs();
        JobService onB = coordinators.node(1).engine().services().jobs();
        Future<Optional<Assignment>> polling = onB.poll("worker-b", Duration.ofSeconds(20));

        Job job = await(onA.submit(KbId.of("jobs"), "ann", new JobPayload.Note("hi", null, null), Optional.empty()));

        Assignment assignment = await(polling).orElseThrow();
        assertThat(assignment.job().id()).isEqualTo(job.id());
        Job done = await(
                onA.complete(job.id(), new JobOutcome.Done(assignment.lease().id(), "c0ffee", List.of(), 0)));
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(await(onB.get(job.id())).commit()).isEqualTo("c0ffee");
    }

    /** Each grant comes after the previous one's release, with a larger fencing token. */
    private void assertGrantedInOrder(int node, List<Future<Lease>> grants, long previousFence) {
        long fence = previousFence;
        for (Future<Lease> grant : grants) {
            Lease lease = await(grant);
            assertThat(lease.fencingToken()).isGreaterThan(fence);
            fence = lease.fencingToken();
            await(leases(node).release(lease.id()));
        }
    }

    /**
     * An uncontended request is answered GRANTED when its own coordinator drives the KB; when the other one does
     * (it may claim a driverless KB first), the grant follows through pub/sub.
     */
    private Lease granted(int node, Lease lease) {
        return await(LeaseClient.granted(coordinators.node(node), lease));
    }

    /** Waiters whose clients talk to coordinator {@code node} only. */
    private List<Future<Lease>> keepAlive(int node, List<Lease> waiters) {
        return waiters.stream()
                .map(w -> LeaseClient.granted(coordinators.node(node), w))
                .toList();
    }

    private AtomicReference<JsonObject> lastSnapshot(int node, KbId kb) {
        AtomicReference<JsonObject> last = new AtomicReference<>(new JsonObject().put("waiters", new JsonArray()));
        coordinators.node(node).engine().services().queues().watchers().kb(kb);
        await(coordinators
                .node(node)
                .vertx()
                .eventBus()
                .<SnapshotEvent>consumer(
                        QueueAddresses.kb(kb), m -> last.set(m.body().data()))
                .completion());
        return last;
    }

    private static List<String> tickets(JsonObject snapshot) {
        return snapshot.getJsonArray("waiters").stream()
                .map(w -> ((JsonObject) w).getString("ticketId"))
                .toList();
    }

    private static String ticket(Lease lease) {
        return LeaseRef.parse(lease.id()).ticket();
    }

    /** Which coordinator (0 = "a", 1 = "b", -1 = none) drives {@code kb}, read through a live client. */
    private int driverNode(KbId kb) {
        RedissonClient live = coordinators.clientOf(coordinators.clientOf(0).isShutdown() ? 1 : 0);
        String driver = live.<String>getBucket(new KbKeys(kb).prefix() + "driver", StringCodec.INSTANCE)
                .get();
        return "a".equals(driver) ? 0 : "b".equals(driver) ? 1 : -1;
    }

    private LeaseService leases(int node) {
        return coordinators.node(node).engine().services().leases();
    }
}
