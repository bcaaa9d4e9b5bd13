package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.job.Assignment;
import dev.kbsync.coordinator.job.JobOutcome;
import dev.kbsync.coordinator.job.JobService;
import dev.kbsync.coordinator.lease.Lease;
import dev.kbsync.coordinator.lease.LeaseService;
import dev.kbsync.coordinator.lease.LeaseState;
import dev.kbsync.coordinator.queue.QueueAddresses;
import dev.kbsync.kb.Job;
import dev.kbsync.kb.JobPayload;
import dev.kbsync.kb.JobState;
import dev.kbsync.kb.KbId;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
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
import org.redisson.client.codec.StringCodec;

/** Two coordinators on one Redis: they publish the same queues, and one carries on when the other dies. */
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
        Lease holder = await(leases(0).request(kb, "h", Duration.ofSeconds(10)));
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
        Lease carried = await(leases(0).request(carry, "survivor", Duration.ofSeconds(30)));
        Lease lapsing = await(leases(0).request(lapse, "dies-with-a", Duration.ofSeconds(2)));
        assertThat(driver(carry)).isEqualTo("a");
        assertThat(driver(lapse)).isEqualTo("a");
        List<Lease> carryWaiters = new ArrayList<>();
        List<Lease> lapseWaiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            carryWaiters.add(await(leases(i % 2).request(carry, "c" + i, Duration.ofSeconds(10))));
            lapseWaiters.add(await(leases(i % 2).request(lapse, "l" + i, Duration.ofSeconds(10))));
        }
        List<Future<Lease>> carryGrants = keepAliveOnB(carryWaiters);
        List<Future<Lease>> lapseGrants = keepAliveOnB(lapseWaiters);
        long keepCarried =
                coordinators.node(1).vertx().setPeriodic(300, t -> leases(1).heartbeat(carried.id()));

        coordinators.kill(0);

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(driver(carry)).isEqualTo("b"));
        Lease stillHeld = await(leases(1).get(carried.id()));
        assertThat(stillHeld.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(stillHeld.fencingToken()).isEqualTo(carried.fencingToken());
        coordinators.node(1).vertx().cancelTimer(keepCarried);
        await(leases(1).release(carried.id()));

        assertGrantedInOrder(carryGrants, carried.fencingToken());
        assertGrantedInOrder(lapseGrants, lapsing.fencingToken());
        assertThat(await(leases(1).get(lapsing.id())).state()).isEqualTo(LeaseState.EXPIRED);
    }

    @Test
    void shouldHandKbsOverWhenTheDrivingCoordinatorStops() {
        KbId kb = KbId.of("handover");
        Lease holder = await(leases(0).request(kb, "h", Duration.ofSeconds(30)));
        assertThat(driver(kb)).isEqualTo("a");
        List<Lease> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(await(leases(i % 2).request(kb, "w" + i, Duration.ofSeconds(10))));
        }
        List<Future<Lease>> grants = keepAliveOnB(waiters);

        await(coordinators.node(0).engine().stop());

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(driver(kb)).isEqualTo("b"));
        assertThat(await(leases(1).get(holder.id())).state()).isEqualTo(LeaseState.GRANTED);
        await(leases(1).release(holder.id()));
        assertGrantedInOrder(grants, holder.fencingToken());
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
    private void assertGrantedInOrder(List<Future<Lease>> grants, long previousFence) {
        long fence = previousFence;
        for (Future<Lease> grant : grants) {
            Lease lease = await(grant);
            assertThat(lease.fencingToken()).isGreaterThan(fence);
            fence = lease.fencingToken();
            await(leases(1).release(lease.id()));
        }
    }

    private List<Future<Lease>> keepAliveOnB(List<Lease> waiters) {
        return waiters.stream()
                .map(w -> LeaseClient.granted(coordinators.node(1), w))
                .toList();
    }

    private AtomicReference<JsonObject> lastSnapshot(int node, KbId kb) {
        AtomicReference<JsonObject> last = new AtomicReference<>(new JsonObject().put("waiters", new JsonArray()));
        await(coordinators
                .node(node)
                .vertx()
                .eventBus()
                .<JsonObject>consumer(QueueAddresses.kb(kb), m -> last.set(m.body()))
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

    private String driver(KbId kb) {
        return coordinators
                .clientOf(1)
                .<String>getBucket(new KbKeys(kb).prefix() + "driver", StringCodec.INSTANCE)
                .get();
    }

    private LeaseService leases(int node) {
        return coordinators.node(node).engine().services().leases();
    }
}
