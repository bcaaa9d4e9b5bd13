package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static dev.kbsync.coordinator.engine.Coordinators.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
