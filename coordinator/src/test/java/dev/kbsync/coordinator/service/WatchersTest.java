package dev.kbsync.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchersTest {
    private final Watchers watchers = new Watchers();
    private final KbId team = KbId.of("team");

    @Test
    void shouldWatchAKbWhileAnyWatchOfItIsOpen() {
        Watchers.Watch first = watchers.kb(team);
        Watchers.Watch second = watchers.lease("team~abc");
        assertThat(watchers.watched(team)).isTrue();
        assertThat(watchers.watched(KbId.of("other"))).isFalse();

        first.close();
        first.close(); // twice is harmless: the other watch still counts
        assertThat(watchers.watched(team)).isTrue();
        second.close();
        assertThat(watchers.watched(team)).isFalse();
    }

    @Test
    void shouldWatchEveryKbWhileAWatchOfAllIsOpen() {
        Watchers.Watch all = watchers.all();
        assertThat(watchers.watched(team)).isTrue();
        all.close();
        assertThat(watchers.watched(team)).isFalse();
    }

    @Test
    void shouldIgnoreALeaseIdWithoutKb() {
        watchers.lease("no-tilde");
        assertThat(watchers.watched(KbId.of("no-tilde"))).isFalse();
    }

    @Test
    void shouldKeepWhatAStreamWasFirstToldWhileItsWatchIsOpen() {
        Watchers.Watch watch = watchers.lease("team~abc");
        Watchers.Baseline none = watchers.told(team);
        assertThat(none.isEmpty()).isTrue();

        watch.told(List.of(new LeaseEvent.State(waiting("team~abc", 2))));

        Watchers.Baseline told = watchers.told(team);
        assertThat(told.told()).containsExactly(new Told.Ticket(team, "team~abc", false, "waiting", 2));
        assertThat(told.version()).isNotEqualTo(none.version());
        watch.close();
        assertThat(watchers.told(team).isEmpty()).isTrue();
    }

    @Test
    void shouldChangeTheVersionWhenAnotherStreamIsToldOrEnds() {
        Watchers.Watch first = watchers.kb(team);
        first.told(List.of(new LeaseEvent.State(waiting("team~a", 1))));
        long once = watchers.told(team).version();
        Watchers.Watch second = watchers.kb(team);
        second.told(List.of(new LeaseEvent.State(waiting("team~b", 2))));
        long twice = watchers.told(team).version();
        assertThat(watchers.told(team).told()).hasSize(2);
        assertThat(twice).isNotEqualTo(once);

        second.close();
        assertThat(watchers.told(team).told()).hasSize(1);
        assertThat(watchers.told(team).version()).isNotEqualTo(twice);
        first.close();
    }

    @Test
    void shouldKeepAWatchOfAllsMarksPerKbAndAKbWatchsOfItsKbOnly() {
        KbId other = KbId.of("other");
        Watchers.Watch all = watchers.all();
        all.told(List.of(
                new SnapshotEvent(new QueueSnapshot(team, Optional.empty(), List.of(), List.of(), 0)),
                new SnapshotEvent(new QueueSnapshot(other, Optional.empty(), List.of(), List.of(), 0))));
        Watchers.Watch one = watchers.kb(team);
        one.told(List.of(new LeaseEvent.State(waiting("other~x", 0))));

        assertThat(watchers.told(team).told()).containsExactly(new Told.Queue(team, 0, List.of()));
        assertThat(watchers.told(other).told()).containsExactly(new Told.Queue(other, 0, List.of()));
        all.close();
        one.close();
        assertThat(watchers.told(team).isEmpty()).isTrue();
        assertThat(watchers.told(other).isEmpty()).isTrue();
    }

    @Test
    void shouldKeepNothingForAClosedWatchOrAFinalEvent() {
        Watchers.Watch closed = watchers.kb(team);
        closed.close();
        closed.told(List.of(new LeaseEvent.State(waiting("team~a", 1))));
        Watchers.Watch open = watchers.kb(team);
        open.told(List.of(new LeaseEvent.State(
                new Lease("team~b", team, "h", LeaseState.RELEASED, 0, null, null, null, null, null, 1000))));

        assertThat(watchers.told(team).isEmpty()).isTrue();
        open.close();
    }

    @Test
    void shouldCallABaselineCompleteOnlyOnceEveryWatchOfTheKbWasToldItsFirstState() {
        KbId other = KbId.of("other");
        assertThat(watchers.told(team).complete()).as("nobody watches").isTrue();
        Watchers.Watch reading = watchers.kb(team);
        assertThat(watchers.told(team).complete())
                .as("its stream's first read is under way")
                .isFalse();
        assertThat(watchers.told(other).complete()).isTrue();

        reading.told(List.of(new LeaseEvent.State(waiting("team~a", 1))));
        assertThat(watchers.told(team).complete()).isTrue();
        Watchers.Watch told = watchers.kb(team);
        told.told(List.of()); // a stream told nothing of the KB is told all the same
        Watchers.Watch closed = watchers.kb(team);
        closed.close();
        assertThat(watchers.told(team).complete()).isTrue();

        Watchers.Watch all = watchers.all();
        assertThat(watchers.told(other).complete())
                .as("a watch of all reads every KB")
                .isFalse();
        all.close();
        assertThat(watchers.told(other).complete()).isTrue();
        reading.close();
        told.close();
    }

    private static Lease waiting(String id, long ahead) {
        return new Lease(
                id,
                KbId.of(id.substring(0, id.indexOf('~'))),
                "holder",
                LeaseState.WAITING,
                ahead,
                null,
                null,
                null,
                null,
                null,
                1000);
    }
}
