package dev.kbsync.coordinator.engine.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;

/**
 * What the engine must know about the Redis deployment at start (read once, blocking: call it off the event loop):
 * each master's {@code maxmemory-policy}, the fewest replicas any master has connected (for the default replica
 * acknowledgement), and
 * the command Redisson wakes fair-lock waiters with ({@code SPUBLISH} on a Cluster with sharded pub/sub, else
 * {@code PUBLISH}), which the grant steps must use too, and whether it is a Cluster (a script may then touch only the
 * keys of one slot; on one master it may touch any).
 */
public record RedisDeployment(
        Map<String, String> evictionPolicies, int replicas, String publishCommand, boolean cluster) {
    public static final String SAFE_POLICY = "noeviction";

    public static RedisDeployment inspect(RedissonClient client) {
        Config config = client.getConfig();
        List<RedisNode> masters = masters(client);
        return new RedisDeployment(
                policies(masters), fewestReplicas(masters), publishCommand(client), config.isClusterConfig());
    }

    /** The fewest replicas any master has connected now (blocking: INFO on every master). */
    public static int fewestReplicas(RedissonClient client) {
        return fewestReplicas(masters(client));
    }

    private static List<RedisNode> masters(RedissonClient client) {
        Config config = client.getConfig();
        List<RedisNode> masters = new ArrayList<>();
        if (config.isSingleConfig()) {
            masters.add(client.getRedisNodes(RedisNodes.SINGLE).getInstance());
        } else if (config.isSentinelConfig()) {
            masters.add(client.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE).getMaster());
        } else if (config.isClusterConfig()) {
            masters.addAll(client.getRedisNodes(RedisNodes.CLUSTER).getMasters());
        } else {
            masters.add(client.getRedisNodes(RedisNodes.MASTER_SLAVE).getMaster());
        }
        return masters;
    }

    private static int fewestReplicas(List<RedisNode> masters) {
        return masters.stream()
                .mapToInt(m -> Integer.parseInt(
                        m.info(RedisNode.InfoSection.REPLICATION).getOrDefault("connected_slaves", "0")))
                .min()
                .orElse(0);
    }

    /** The masters whose policy may evict keys, as {@code address=policy}; empty when every master is safe. */
    public List<String> evicting() {
        return evictionPolicies.entrySet().stream()
                .filter(e -> !SAFE_POLICY.equals(e.getValue()))
                .map(e -> e.getKey() + " (maxmemory-policy " + e.getValue() + ")")
                .toList();
    }

    private static Map<String, String> policies(Collection<? extends RedisNode> masters) {
        Map<String, String> out = new LinkedHashMap<>();
        for (RedisNode master : masters) {
            String policy = master.info(RedisNode.InfoSection.MEMORY).getOrDefault("maxmemory_policy", SAFE_POLICY);
            out.put(master.getAddr().getHostString() + ":" + master.getAddr().getPort(), policy);
        }
        return out;
    }

    private static String publishCommand(RedissonClient client) {
        if (client instanceof Redisson redisson) {
            return redisson.getCommandExecutor()
                    .getConnectionManager()
                    .getSubscribeService()
                    .getPublishCommand()
                    .toLowerCase(java.util.Locale.ROOT);
        }
        return "publish";
    }
}
