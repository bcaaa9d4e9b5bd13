package dev.kbsync.coordinator.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
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
}
