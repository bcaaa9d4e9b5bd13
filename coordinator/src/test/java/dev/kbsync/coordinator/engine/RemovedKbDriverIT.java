package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A removed KB leaves nothing behind in the coordinator that drove it: KB ids come and go (scoped admins create and
 * remove KBs), and a driver kept per id ever seen would grow with them for the process's life.
 */
class RemovedKbDriverIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private Coordinators coordinators;

    @AfterEach
    void stop() {
        coordinators.close();
    }

    @Test
    void shouldDropTheDriverOfARemovedKb() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(Coordinators.config("d1"));
        coordinators.register(engine, "gone");
        KbId kb = KbId.of("gone");
        // a waiter granted on the holder's release: this coordinator drives the KB for that handover
        Lease first = await(engine.services().leases().request(kb, "first", Duration.ofSeconds(5)));
        Lease second = await(engine.services().leases().request(kb, "second", Duration.ofSeconds(5)));
        await(engine.services().leases().release(first.id()));
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> await(engine.services().leases().get(second.id())).state() == LeaseState.GRANTED);
        // the handover, or the sweep that finds the KB held, makes its driver here (asserted while the KB is held: an
        // idle KB's sweep need not make one, and a loaded run's handover may come after the holder's release)
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(engine.drivenKbs()).contains(kb));
        await(engine.services().leases().release(second.id()));

        await(engine.services().kbs().remove(kb));

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(engine.drivenKbs()).doesNotContain(kb));
    }
}
