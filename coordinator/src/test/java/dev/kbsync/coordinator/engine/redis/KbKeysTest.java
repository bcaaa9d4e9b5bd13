package dev.kbsync.coordinator.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import java.util.List;
import org.junit.jupiter.api.Test;

class KbKeysTest {

    @Test
    void shouldDeclareEveryKeyOfTheKbInItsSlotInTheScriptsOrder() {
        KbKeys keys = new KbKeys(KbId.of("team"));

        List<Object> all = keys.all();

        assertThat(all).hasSize(18);
        assertThat(all.get(0)).isEqualTo(keys.queue());
        assertThat(all.get(10)).isEqualTo(keys.lock());
        assertThat(all.get(11)).isEqualTo("redisson_lock_queue:" + keys.lock());
        assertThat(all.get(17)).isEqualTo(keys.claims());
        assertThat(all).allSatisfy(key -> assertThat((String) key).contains("{kb:team}"));
    }

    @Test
    void shouldBuildEachKbsKeysOnceAndKeepThemApart() {
        List<Object> first = new KbKeys(KbId.of("cached-a")).all();

        assertThat(new KbKeys(KbId.of("cached-a")).all()).isSameAs(first);
        assertThat(new KbKeys(KbId.of("cached-b")).all()).isNotEqualTo(first);
    }

    @Test
    void shouldStayCorrectPastItsBound() {
        for (int i = 0; i < 5_000; i++) {
            KbId kb = KbId.of("bound-" + i);
            assertThat(new KbKeys(kb).all().get(0)).isEqualTo("kbsync:{kb:bound-" + i + "}:queue");
        }
    }
}
