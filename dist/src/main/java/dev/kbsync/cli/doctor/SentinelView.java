package dev.kbsync.cli.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.api.redisnode.RedisSentinel;

/** What every Sentinel says about kbsync's master: they must answer, agree on its address and see no trouble. */
final class SentinelView {
    static final String NAME = "redis sentinel";

    private SentinelView() {}

    static Check check(RedissonClient client, String masterName) {
        List<RedisSentinel> sentinels = List.copyOf(
                client.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE).getSentinels());
        Set<String> addresses = new TreeSet<>();
        List<String> troubles = new ArrayList<>();
        String quorum = "?";
        for (RedisSentinel sentinel : sentinels) {
            Map<String, String> master;
            try {
                master = sentinel.getMaster(masterName);
            } catch (RuntimeException e) {
                troubles.add(sentinel.getAddr() + " did not answer (" + Causes.root(e) + ")");
                continue;
            }
            addresses.add(master.get("ip") + ":" + master.get("port"));
            quorum = master.getOrDefault("quorum", quorum);
            String flags = master.getOrDefault("flags", "");
            if (!flags.equals("master")) {
                troubles.add(sentinel.getAddr() + " flags the master " + flags);
            }
        }
        if (addresses.size() > 1) {
            troubles.add("they disagree on the master: " + addresses);
        }
        String seen = sentinels.size() + " sentinel(s), quorum " + quorum + ", master '" + masterName + "' at "
                + String.join(", ", addresses);
        if (!troubles.isEmpty()) {
            return Check.fail(NAME, seen + ": " + String.join("; ", troubles));
        }
        return sentinels.size() < 3
                ? Check.warn(NAME, seen + ": fewer than 3 Sentinels cannot fail over safely")
                : Check.pass(NAME, seen);
    }
}
