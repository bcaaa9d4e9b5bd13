package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
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
        Lease lease = await(engine.services().leases().request(kb, "raw", Duration.ofSeconds(5)));
        await(engine.services().leases().release(lease.id()));
        assertThat(engine.drivenKbs()).as("drove the KB for its grant").contains(kb);

        await(engine.services().kbs().remove(kb));

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(engine.drivenKbs()).doesNotContain(kb));
    }
}
