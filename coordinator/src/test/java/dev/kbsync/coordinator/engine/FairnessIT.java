package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** FIFO grants and true queue positions across four coordinators (four Redisson clients) on one Redis. */
class FairnessIT {
    private static final int CLIENTS = 4;
    private static final int REQUESTS = 50;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;

    /** One request: who made it, where it stood, the events its lease address reported. */
    record Request(int client, Lease lease, List<LeaseEvent> events, Future<Lease> granted) {}

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        for (int i = 0; i < CLIENTS; i++) {
            coordinators.start(Coordinators.config("c" + i));
        }
        coordinators.register(coordinators.node(0).engine(), "fair", "dead");
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldGrantInRequestOrderWithPositionsThatOnlyDecrease() throws Exception {
        KbId kb = KbId.of("fair");
        List<JsonObject> snapshots = new CopyOnWriteArrayList<>();
        coordinators.node(3).engine().services().queues().watchers().kb(kb);
        await(coordinators
                .node(3)
                .vertx()
                .eventBus()
                .<SnapshotEvent>consumer(
                        QueueAddresses.kb(kb), m -> snapshots.add(m.body().data()))
                .completion());
        Lease blocker = await(leases(0).request(kb, "blocker", Duration.ofSeconds(30)));
        List<String> grantOrder = new CopyOnWriteArrayList<>();
        List<Request> requests = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.submit(() -> {
                for (int r = client; r < REQUESTS; r += CLIENTS) {
                    requests.add(request(client, kb, grantOrder));
                }
            });
        }
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(requests).hasSize(REQUESTS);
        assertThat(requests.stream().map(r -> r.lease().ahead()))
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, REQUESTS).boxed().toList());

        await(leases(0).release(blocker.id()));
        requests.forEach(r -> await(r.granted()));

        List<Request> byPosition = new ArrayList<>(requests);
        byPosition.sort(Comparator.comparingLong(r -> r.lease().ahead()));
        assertThat(grantOrder)
                .containsExactlyElementsOf(
                        byPosition.stream().map(r -> r.lease().id()).toList());
        List<Long> fences =
                byPosition.stream().map(r -> await(r.granted()).fencingToken()).toList();
        assertThat(fences).isSorted().doesNotHaveDuplicates();
        List<String> order =
                new ArrayList<>(List.of(LeaseRef.parse(blocker.id()).ticket()));
        byPosition.forEach(r -> order.add(LeaseRef.parse(r.lease().id()).ticket()));
        assertThat(snapshots)
                .isNotEmpty()
                .allSatisfy(snapshot -> assertThat(tickets(snapshot, order))
                        .as("every published queue lists its tickets in request order")
                        .isSorted());
        for (Request r : requests) {
            List<Long> positions = aheads(r, "position");
            List<Long> all = aheads(r, null);
            assertThat(IntStream.range(1, positions.size()).allMatch(i -> positions.get(i) < positions.get(i - 1)))
                    .as(
                            "positions %s of %s strictly decrease",
                            positions, r.lease().id())
                    .isTrue();
            assertThat(IntStream.range(1, all.size()).allMatch(i -> all.get(i) <= all.get(i - 1)))
                    .as("aheads %s of %s never increase", all, r.lease().id())
                    .isTrue();
            assertThat(all).allMatch(a -> a <= r.lease().ahead());
            // a grant and its release can coalesce into one refresh: then only "released" is published
            await().atMost(Duration.ofSeconds(10))
                    .pollDelay(Duration.ZERO)
                    .untilAsserted(() -> assertThat(r.events())
                            .anySatisfy(
                                    e -> assertThat(e.lease().state().wire()).isIn("granted", "released")));
        }
    }

    @Test
    void shouldDropWaiterThatStopsHeartbeatingFromEveryonesCount() {
        KbId kb = KbId.of("dead");
        Lease blocker = await(leases(0).request(kb, "blocker", Duration.ofSeconds(30)));
        List<Lease> waiters = new ArrayList<>();
        List<Future<Lease>> granted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Lease lease = await(leases(i % CLIENTS).request(kb, "w" + i, Duration.ofSeconds(30)));
            waiters.add(lease);
            if (i != 2) {
                granted.add(LeaseClient.granted(coordinators.node(i % CLIENTS), lease));
            }
        }
        Lease last = waiters.get(5);
        assertThat(last.ahead()).isEqualTo(6);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                await(leases(1).get(waiters.get(2).id())).state())
                        .isEqualTo(LeaseState.EXPIRED));
        assertThat(await(leases(1).get(last.id())).ahead()).isEqualTo(5);
        assertThat(await(leases(2).get(waiters.get(1).id())).ahead()).isEqualTo(2);

        await(leases(0).release(blocker.id()));
        for (Future<Lease> next : granted) {
            Lease lease = await(next);
            await(leases(0).release(lease.id()));
        }
    }

    /** Requests a lease on client {@code client}'s coordinator, records its positions, releases it once granted. */
    private static Request request(int client, KbId kb, List<String> grantOrder) {
        Coordinators.Node node = coordinators.node(client);
        Lease lease = await(leases(client).request(kb, "client-" + client, Duration.ofSeconds(30)));
        List<LeaseEvent> events = new CopyOnWriteArrayList<>();
        node.engine().services().queues().watchers().kb(kb);
        MessageConsumer<LeaseEvent> consumer = node.vertx().eventBus().consumer(QueueAddresses.lease(lease.id()), m -> {
            events.add(m.body());
        });
        await(consumer.completion());
        Future<Lease> granted = LeaseClient.granted(node, lease).compose(l -> {
            grantOrder.add(l.id());
            return leases(client).release(l.id()).map(l);
        });
        return new Request(client, lease, events, granted);
    }

    /** Positions in the request order of the holder and the waiters of a published snapshot. */
    private static List<Integer> tickets(JsonObject snapshot, List<String> order) {
        List<Integer> indexes = new ArrayList<>();
        JsonObject holder = snapshot.getJsonObject("holder");
        if (holder != null) {
            indexes.add(order.indexOf(holder.getString("ticketId")));
        }
        snapshot.getJsonArray("waiters")
                .forEach(w -> indexes.add(order.indexOf(((JsonObject) w).getString("ticketId"))));
        return indexes;
    }

    /** The {@code ahead} values a request's address reported, of one event type or of all. */
    private static List<Long> aheads(Request request, String type) {
        return request.events().stream()
                .filter(e -> type == null || type.equals(e.name()))
                .map(e -> e.lease().ahead())
                .toList();
    }

    private static LeaseService leases(int client) {
        return coordinators.node(client).engine().services().leases();
    }
}
