package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Pub/sub between coordinators costs nothing while a coordinator is alone (only its presence, once a second), and
 * starts within one message when a second coordinator announces itself.
 */
class EventsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Coordinators coordinators;
    RedissonClient listener;
    final List<String> messages = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        coordinators = new Coordinators(redis);
        coordinators.start(Coordinators.config("solo"));
        coordinators.register(coordinators.node(0).engine(), "ev");
        listener = coordinators.client(Coordinators.config("listener"));
        listener.getTopic(Events.TOPIC, StringCodec.INSTANCE).addListener(String.class, (c, m) -> messages.add(m));
    }

    @AfterEach
    void stop() {
        listener.shutdown();
        coordinators.close();
    }

    @Test
    void shouldPublishNoQueueChangesWhileAlone() {
        cycle("solo", 0);

        assertThat(messages).allMatch(m -> m.equals("h solo"));
    }

    @Test
    void shouldPublishQueueChangesOnceAnotherCoordinatorAnnouncedItself() {
        coordinators.start(Coordinators.config("second"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> messages.contains("h second")
                        && messages.stream().filter("h solo"::equals).count() >= 1);

        cycle("solo", 0);
        cycle("second", 1);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(messages).contains("q ev solo", "q ev second"));
    }

    private void cycle(String who, int node) {
        Lease lease = await(coordinators.node(node).engine().services().leases().request(KbId.of("ev"), who, null));
        await(coordinators.node(node).engine().services().leases().release(lease.id()));
    }
}
