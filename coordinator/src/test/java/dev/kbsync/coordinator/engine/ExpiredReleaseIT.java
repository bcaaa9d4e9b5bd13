package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static dev.kbsync.coordinator.engine.Coordinators.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * A grant past its expiry is over, whether or not a sweep ended it yet: its release answers it {@code expired}, as a
 * read and a heartbeat already do, never {@code released} (the holder must not believe it held the KB until then).
 */
class ExpiredReleaseIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static LeaseService leases;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(Coordinators.config("c1").withSweepInterval(Duration.ofMinutes(1)));
        coordinators.register(engine, "lapsed");
        leases = engine.services().leases();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldAnnounceAJobThatTheForceReleaseOfItsLapsedGrantFailed() {
        // its last attempt's grant lapsed before any sweep ended it; an admin's force-release ends it (expired) and
        // fails the job: the other coordinators must hear of that end (a job stream there ends with it), as the
        // sweep tells them
        EngineConfig oneAttempt = Coordinators.config("c-last")
                .withSweepInterval(Duration.ofMinutes(1))
                .withLeaseTtl(Duration.ofMillis(1000))
                .withJobs(new EngineConfig.Jobs(1, Duration.ofHours(1)));
        Engine last = coordinators.start(oneAttempt);
        coordinators.start(Coordinators.config("c-peer").withSweepInterval(Duration.ofMinutes(1)));
        coordinators.register(last, "lapsed-job");
        KbId kb = KbId.of("lapsed-job");
        List<String> heard = new CopyOnWriteArrayList<>();
        RedissonClient listener = coordinators.client(Coordinators.config("listener"));
        try {
            RTopic topic = listener.getTopic(Events.TOPIC, StringCodec.INSTANCE);
            topic.addListener(String.class, (channel, message) -> heard.add(message));
            JobService jobs = last.services().jobs();
            // the worker already waits when the job is granted: a grant not claimed within its TTL would lapse
            // unclaimed, and with no sweep for a minute it would not be granted again within the test
            Future<Optional<Assignment>> polled = jobs.poll("w", Duration.ofSeconds(10));
            Job job = await(jobs.submit(kb, "ann", new JobPayload.Note("t", null, null), Optional.empty()));
            Assignment claimed = await(polled).orElseThrow();
            assertThat(claimed.job().id()).isEqualTo(job.id());
            sleep(1500); // the grant lapsed; no sweep ran

            await(last.services().leases().forceRelease(kb));

            assertThat(await(jobs.get(job.id())).state()).isEqualTo(JobState.FAILED);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(heard).anyMatch(m -> m.startsWith("j " + job.id() + " ")));
        } finally {
            listener.shutdown();
        }
    }

    @Test
    void shouldAnswerTheReleaseOfALapsedGrantExpired() {
        Lease granted = await(leases.request(KbId.of("lapsed"), "h", Duration.ofMillis(300)));
        assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
        sleep(700);
        assertThat(await(leases.get(granted.id())).state()).isEqualTo(LeaseState.EXPIRED);

        Lease released = await(leases.release(granted.id()));

        assertThat(released.state()).isEqualTo(LeaseState.EXPIRED);
        assertThat(await(leases.get(granted.id())).state()).isEqualTo(LeaseState.EXPIRED);
    }
}
