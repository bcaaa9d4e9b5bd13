package dev.kbsync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
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
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stream that began after its KB's last change still gets the final event of a lease or job the sweep ended (a
 * silent holder's lease expired; a job's last attempt expired): the sweep's step sends it, as a release's does. A
 * queue refresh alone has no earlier view in which the ticket was there, and sends nothing.
 *
 * <p>A lease's open stream heartbeats the lease every second (docs/api.md), and the lease TTL is 1 s: each beat
 * extended the grant to the moment the next one arrived, so whether the sweep saw it expire depended on latencies
 * (it once stayed granted for over 10 s under load). The maximum hold (2 s), which no heartbeat pushes out, ends the
 * grant for sure.
 */
class SweptStreamEndIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Vertx vertx = Vertx.vertx();
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
                                        "KBSYNC_AUTH_ENABLED", "false",
                                        "KBSYNC_LEASE_TTL_SECONDS", "1",
                                        "KBSYNC_LEASE_MAX_HOLD_SECONDS", "2",
                                        "KBSYNC_JOBS_MAX_ATTEMPTS", "1")))
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
    void shouldEndTheStreamOfALeaseTheSweepExpired() {
        KbId kb = KbId.of("swept-lease");
        http.registerKb(new KbConfig(kb, "/srv/git/swept-lease.git", "main"));
        Lease lease = http.requestLease(kb, LeaseRequest.of("silent"));
        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);

        try (EventStream<LeaseEvent> events = http.leaseEvents(lease.id())) {
            assertThat(events.next(WAIT).lease().state()).isEqualTo(LeaseState.GRANTED);
            assertThat(last(events).lease().state()).isEqualTo(LeaseState.EXPIRED);
        }
    }

    @Test
    void shouldEndTheStreamOfAJobWhoseLastAttemptExpired() {
        KbId kb = KbId.of("swept-job");
        http.registerKb(new KbConfig(kb, "/srv/git/swept-job.git", "main"));
        for (int tries = 1; ; tries++) {
            Job job = http.submitNote(kb, NoteRequest.of("ann", "its worker goes silent"));
            assertThat(http.poll("silent", WAIT).orElseThrow().job().id()).isEqualTo(job.id());

            try (EventStream<JobEvent> events = http.jobEvents(job.id())) {
                JobState first = events.next(WAIT).job().state();
                if (first == JobState.FAILED && tries < 3) {
                    // the stream opened after the job's 1 s grant had lapsed (a loaded machine: seen once), so the
                    // sweep's step came before it: not the case under test; again with a new job
                    continue;
                }
                assertThat(first).isEqualTo(JobState.RUNNING);
                assertThat(last(events).job().state()).isEqualTo(JobState.FAILED);
                return;
            }
        }
    }

    /** The stream's final event (within {@link #WAIT} each). */
    private static <E extends KbsyncEvent> E last(EventStream<E> events) {
        E event = events.next(WAIT);
        while (!event.last()) {
            event = events.next(WAIT);
        }
        return event;
    }
}
