package dev.kbsync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lease's or job's stream ends on its final event, and nothing is sent to its address after that: the end is seen
 * both by the step that ended the ticket and by the next queue refresh, and only the first may send it (the second
 * reached the stream's consumer after it had unregistered: Vert.x logged "Discarding message since the consumer is
 * not registered", hundreds of times in a bench run).
 */
class StreamEndIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Vertx vertx = Vertx.vertx();
    /** Every event published to the addresses under test, by address, seen by a consumer that stays registered. */
    private final Map<String, List<KbsyncEvent>> published = new ConcurrentHashMap<>();

    private Coordinator coordinator;
    private KbsyncClient http;

    @BeforeEach
    void start() {
        coordinator = Coordinator.start(
                        vertx,
                        CoordinatorConfig.load(
                                Optional.empty(),
                                Map.of(
                                        "KBSYNC_HTTP_PORT", "0",
                                        "KBSYNC_REDIS_ADDRESS", redis.uri(),
                                        "KBSYNC_AUTH_ENABLED", "false")))
                .await();
        http = KbsyncClient.create(ClientOptions.of(URI.create("http://127.0.0.1:" + coordinator.port()), null));
    }

    @AfterEach
    void stop() {
        http.close();
        coordinator.stop().await();
        vertx.close().await();
    }

    @Test
    void shouldSendNothingToALeaseStreamAfterItsFinalEvent() throws Exception {
        KbId kb = KbId.of("leases");
        http.registerKb(new KbConfig(kb, "/srv/git/leases.git", "main"));
        ExecutorService holders = Executors.newFixedThreadPool(4);
        try (LogCapture logs = new LogCapture()) {
            List<Future<?>> runs = new ArrayList<>();
            for (int h = 0; h < 4; h++) {
                String holder = "holder-" + h;
                runs.add(holders.submit(() -> {
                    for (int round = 0; round < 10; round++) {
                        Lease lease = http.requestLease(kb, LeaseRequest.of(holder));
                        record(QueueAddresses.lease(lease.id()));
                        try (EventStream<LeaseEvent> events = http.leaseEvents(lease.id())) {
                            while (events.next(Duration.ofSeconds(10)).lease().state() != LeaseState.GRANTED) {}
                            http.release(lease.id());
                            events.forEachRemaining(e -> {});
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }

            assertEachEndedOnce(40);
            assertThat(logs.lines()).noneMatch(l -> l.contains("Discarding message"));
        } finally {
            holders.shutdownNow();
        }
    }

    @Test
    void shouldSendNothingToAJobStreamAfterItsFinalEvent() throws Exception {
        KbId kb = KbId.of("jobs");
        http.registerKb(new KbConfig(kb, "/srv/git/jobs.git", "main"));
        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < 10; i++) {
                Job job = http.submitNote(kb, NoteRequest.of("user-" + i, "note " + i));
                record(QueueAddresses.job(job.id()));
                try (EventStream<JobEvent> events = http.jobEvents(job.id())) {
                    Assignment assignment =
                            http.poll("w", Duration.ofSeconds(5)).orElseThrow();
                    http.reportResult(
                            job.id(),
                            new JobOutcome.Done(
                                    assignment.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
                    events.forEachRemaining(e -> {});
                }
            }

            assertEachEndedOnce(10);
            assertThat(logs.lines()).noneMatch(l -> l.contains("Discarding message"));
        }
    }

    private void record(String address) {
        List<KbsyncEvent> events = new CopyOnWriteArrayList<>();
        published.put(address, events);
        vertx.eventBus()
                .<KbsyncEvent>consumer(address, m -> events.add(m.body()))
                .completion()
                .await();
    }

    /** Each address got exactly one final event, and it was the last one (after the refreshes settled). */
    private void assertEachEndedOnce(int addresses) throws InterruptedException {
        Thread.sleep(500);
        assertThat(published).hasSize(addresses);
        published.forEach((address, events) -> {
            assertThat(events.stream().filter(KbsyncEvent::last))
                    .as("final events sent to %s: %s", address, events)
                    .hasSize(1);
            assertThat(events.get(events.size() - 1).last()).isTrue();
        });
    }
}
