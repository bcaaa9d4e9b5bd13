package dev.kbsync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.redisson.cluster.ClusterSlotRange;

class ClusterProbeTest {
    @Test
    void shouldHashAsRedisDoes() {
        // CLUSTER KEYSLOT of Redis itself
        assertThat(ClusterProbe.slot("foo")).isEqualTo(12182);
        assertThat(ClusterProbe.slot("123456789")).isEqualTo(0x31C3 % 16384);
        assertThat(ClusterProbe.slot("kbsync:readyz")).isEqualTo(10864);
    }

    @Test
    void shouldHaveAProbeKeyInEverySlot() {
        for (int slot = 0; slot < 16384; slot++) {
            String key = ClusterProbe.keyInSlot(slot);
            String tag = key.substring(key.indexOf('{') + 1, key.indexOf('}'));
            assertThat(key).startsWith("kbsync:readyz:{");
            assertThat(ClusterProbe.slot(tag)).as(key).isEqualTo(slot);
        }
    }

    @Test
    void shouldWriteOneKeyPerShardInItsLowestSlot() {
        Map<ClusterSlotRange, Set<String>> slots = new LinkedHashMap<>();
        slots.put(new ClusterSlotRange(5462, 10922), Set.of("127.0.0.1:7001", "127.0.0.1:7004"));
        slots.put(new ClusterSlotRange(10924, 16383), Set.of("127.0.0.1:7002", "127.0.0.1:7005"));
        slots.put(new ClusterSlotRange(0, 5461), Set.of("127.0.0.1:7000", "127.0.0.1:7003"));
        // a slot moved to the first shard: one more range of it, still one key
        slots.put(new ClusterSlotRange(10923, 10923), Set.of("127.0.0.1:7003", "127.0.0.1:7000"));

        assertThat(ClusterProbe.keys(slots))
                .containsExactly(
                        ClusterProbe.keyInSlot(0), ClusterProbe.keyInSlot(5462), ClusterProbe.keyInSlot(10924));
    }
}
