package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.redis.RespClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RedisClusterFixtureIT {
    private static final Duration CALL = Duration.ofSeconds(2);

    @Test
    void shouldServeSlotsFromThreeMastersAndStopOnClose() {
        List<RedisServer> nodes;
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            assertThat(cluster.nodeAddresses()).hasSize(3).doesNotHaveDuplicates();
            for (RedisServer node : cluster.nodes()) {
                assertThat(String.valueOf(RespClient.once(node.port(), CALL, "CLUSTER", "INFO")))
                        .contains("cluster_state:ok")
                        .contains("cluster_known_nodes:3")
                        .contains("cluster_slots_assigned:16384");
            }
            List<String> keys = Stream.of("a", "b", "c", "d", "e", "f", "g", "h")
                    .map(id -> "kbsync:{kb:" + id + "}:queue")
                    .toList();
            var owners = keys.stream()
                    .collect(Collectors.groupingBy(key -> ownerOf(cluster, key).port()));
            assertThat(owners).hasSizeGreaterThan(1);

            for (String key : keys) {
                RedisServer owner = ownerOf(cluster, key);
                assertThat(RespClient.once(owner.port(), CALL, "SET", key, "1")).isEqualTo("OK");
                RedisServer other = cluster.nodes().stream()
                        .filter(n -> n != owner)
                        .findFirst()
                        .orElseThrow();
                assertThatThrownBy(() -> RespClient.once(other.port(), CALL, "SET", key, "1"))
                        .hasMessageStartingWith("MOVED");
            }
            nodes = cluster.nodes();
            assertThat(nodes).allMatch(RedisServer::isAlive);
        }
        assertThat(nodes).noneMatch(RedisServer::isAlive);
    }

    private static RedisServer ownerOf(RedisClusterFixture cluster, String key) {
        long slot = (Long) RespClient.once(cluster.nodes().get(0).port(), CALL, "CLUSTER", "KEYSLOT", key);
        return cluster.nodeForSlot((int) slot);
    }
}
