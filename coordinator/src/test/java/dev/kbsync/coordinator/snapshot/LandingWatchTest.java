package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.service.LocalEventCodec;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When the mirror of a KB is told that the KB's branch may have moved. */
class LandingWatchTest {
    private static final KbId KB = KbId.of("landing");

    private final Vertx vertx = Vertx.vertx();
    private final Watchers watchers = new Watchers();
    private final List<KbId> landed = new CopyOnWriteArrayList<>();
    private final LandingWatch watch = new LandingWatch(vertx, watchers, landed::add);

    @AfterEach
    void tearDown() {
        watch.close();
        vertx.close().await();
    }

    @Test
    void shouldReportALeaseThatEndedWithoutAnySnapshotShowingItHeld() {
        LocalEventCodec.registerOn(vertx.eventBus());
        watch.watch(KB);
        assertThat(watchers.watched(KB))
                .as("the KB's events are published while it is watched")
                .isTrue();
        assertThat(watchers.told(KB).complete())
                .as("the mirror reads no first state: the fan-out holds nothing back on its account")
                .isTrue();

        vertx.eventBus().publish(QueueAddresses.ended(KB), new LeaseEvent.State(lease(LeaseState.RELEASED)));

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !landed.isEmpty());
        assertThat(landed).containsExactly(KB);
        watch.close();
        assertThat(watchers.watched(KB)).isFalse();
    }

    @Test
    void shouldDropTheWatchAndItsConsumersOfAKbNoLongerWatched() throws Exception {
        LocalEventCodec.registerOn(vertx.eventBus());
        watch.watch(KB);
        watch.unwatch(KB);
        assertThat(watchers.watched(KB))
                .as("its events are no longer published here")
                .isFalse();

        vertx.eventBus().publish(QueueAddresses.ended(KB), new LeaseEvent.State(lease(LeaseState.RELEASED)));
        Thread.sleep(200);
        assertThat(landed).as("no consumer is left on its addresses").isEmpty();

        watch.watch(KB);
        assertThat(watchers.watched(KB)).as("watched again").isTrue();
        vertx.eventBus().publish(QueueAddresses.ended(KB), new LeaseEvent.State(lease(LeaseState.RELEASED)));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !landed.isEmpty());
        assertThat(landed).containsExactly(KB);
    }

    private static Lease lease(LeaseState state) {
        return new Lease(KB.value() + "~t1", KB, "writer", state, 0, 7L, null, null, null, null, 1000);
    }
}
