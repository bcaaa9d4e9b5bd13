package dev.kbsync.coordinator;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisClusterMaster;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;
import org.redisson.cluster.ClusterSlotRange;
import org.redisson.connection.CRC16;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health probe's write on a Redis Cluster: one key per shard ({@code kbsync:readyz:{<tag>}}, the tag chosen so
 * that the key's slot is one the shard serves, from {@code CLUSTER SLOTS}), written together; the probe succeeds once
 * <em>any</em> shard took its write. A shard that fails over stops only its own KBs (their calls answer 503 on their
 * own, within the Redis timeout), so its failure must not mark all of Redis down: that would refuse every KB's calls
 * and fail every coordinator's readiness at once. Redis is down when no shard takes a write (every master gone, or
 * the whole Cluster refusing: {@code CLUSTERDOWN}).
 *
 * <p>The slot map is read again in the background (never on a probe's path once known) every {@link #REFRESH_EVERY},
 * and at most every {@link #REFRESH_AFTER_FAILURE} after a shard's write failed (a slot moved, a master changed);
 * Redisson routes each key to its slot's master as it knows it. Thread-safe.
 */
final class ClusterProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterProbe.class);
    static final Duration REFRESH_EVERY = Duration.ofSeconds(10);
    static final Duration REFRESH_AFTER_FAILURE = Duration.ofSeconds(1);
    static final Duration KEY_TTL = Duration.ofMinutes(1);
    private static final int SLOTS = 16384;

    private final Vertx vertx;
    private final RedissonClient redisson;
    private volatile List<String> keys = List.of();
    private long refreshedAt; // guarded by this
    private boolean refreshing; // guarded by this
    private boolean failedSince; // guarded by this: a shard's write failed since the last refresh
    private volatile int lastFailed;

    ClusterProbe(Vertx vertx, RedissonClient redisson) {
        this.vertx = vertx;
        this.redisson = redisson;
    }

    /** Completes once at least one shard took the probe's write; fails when none did. */
    Future<Void> ping() {
        Context context = vertx.getOrCreateContext();
        List<String> now = keys;
        if (now.isEmpty()) {
            return refresh(context).compose(fresh -> write(context, fresh));
        }
        if (refreshDue()) {
            refresh(context);
        }
        return write(context, now);
    }

    private synchronized boolean refreshDue() {
        long since = System.nanoTime() - refreshedAt;
        return !refreshing
                && (since >= REFRESH_EVERY.toNanos() || (failedSince && since >= REFRESH_AFTER_FAILURE.toNanos()));
    }

    private Future<Void> write(Context context, List<String> targets) {
        if (targets.isEmpty()) { // a slot map without a slot served: no shard to take a write (any() of none succeeds)
            return Future.failedFuture("the Redis Cluster's slot map names no shard");
        }
        List<Future<Void>> writes = new ArrayList<>(targets.size());
        for (String key : targets) {
            writes.add(Future.fromCompletionStage(
                            redisson.getBucket(key, StringCodec.INSTANCE).setAsync("1", KEY_TTL), context)
                    .mapEmpty());
        }
        // reported once every write ended (a failed shard's within the Redis timeout, long after the probe's bound)
        Future.join(writes)
                .onComplete(all -> report(
                        targets.size(),
                        (int) writes.stream().filter(Future::failed).count(),
                        writes));
        // succeeds with the first shard that took its write; fails once every shard refused it
        return Future.any(writes).mapEmpty();
    }

    /** Tells each change of how many shards refused the probe's write (not every probe). */
    private void report(int shards, int failed, List<Future<Void>> writes) {
        if (failed > 0) {
            synchronized (this) {
                failedSince = true;
            }
        }
        int before = lastFailed;
        lastFailed = failed;
        if (failed == before) {
            return;
        }
        if (failed == 0) {
            LOG.info("Redis Cluster: every shard ({}) takes the health probe's write again", shards);
        } else if (failed < shards) {
            LOG.warn(
                    "Redis Cluster: {} of {} shard(s) did not take the health probe's write (first: {}); Redis stays"
                            + " up: only the KBs of those shards answer 503 until their replicas take over",
                    failed,
                    shards,
                    writes.stream()
                            .filter(Future::failed)
                            .map(f -> String.valueOf(f.cause()))
                            .findFirst()
                            .orElse(""));
        }
    }

    /**
     * Reads the slot map from the first master that answers (all asked at once) and makes one key per shard; keeps the
     * keys it had when none answers. At most one read at a time; one under way completes with the current keys.
     */
    private Future<List<String>> refresh(Context context) {
        synchronized (this) {
            if (refreshing) {
                return keys.isEmpty()
                        ? Future.failedFuture("the Redis Cluster's slot map is being read")
                        : Future.succeededFuture(keys);
            }
            refreshing = true;
        }
        Future<List<String>> read;
        try {
            Collection<RedisClusterMaster> masters =
                    redisson.getRedisNodes(RedisNodes.CLUSTER).getMasters();
            List<Future<Map<ClusterSlotRange, Set<String>>>> answers = new ArrayList<>();
            for (RedisClusterMaster master : masters) {
                answers.add(Future.fromCompletionStage(master.clusterSlotsAsync(), context));
            }
            read = answers.isEmpty()
                    ? Future.failedFuture("Redisson knows no master of the Redis Cluster yet")
                    : Future.any(answers).map(any -> keys(firstAnswer(answers)));
        } catch (RuntimeException e) {
            read = Future.failedFuture(e);
        }
        return read.andThen(r -> {
            synchronized (this) {
                refreshing = false;
                refreshedAt = System.nanoTime();
                failedSince = false;
                if (r.succeeded() && !r.result().isEmpty()) {
                    if (!r.result().equals(keys)) {
                        LOG.info("Redis Cluster: the health probe writes one key per shard: {}", r.result());
                    }
                    keys = r.result();
                }
            }
            if (r.failed()) {
                LOG.debug("Redis Cluster: the slot map could not be read: {}", String.valueOf(r.cause()));
            }
        });
    }

    private static Map<ClusterSlotRange, Set<String>> firstAnswer(
            List<Future<Map<ClusterSlotRange, Set<String>>>> answers) {
        return answers.stream()
                .filter(Future::succeeded)
                .map(Future::result)
                .findFirst()
                .orElseThrow();
    }

    /**
     * One key per shard of {@code slots} ({@code CLUSTER SLOTS}: each range with the addresses of the nodes that serve
     * it; the ranges served by the same nodes make one shard), in the shard's lowest slot; sorted.
     */
    static List<String> keys(Map<ClusterSlotRange, Set<String>> slots) {
        Map<Set<String>, Integer> lowest = new HashMap<>();
        slots.forEach((range, nodes) -> lowest.merge(Set.copyOf(nodes), range.getStartSlot(), Math::min));
        TreeSet<Integer> shardSlots = new TreeSet<>(Comparator.naturalOrder());
        shardSlots.addAll(lowest.values());
        return shardSlots.stream().map(ClusterProbe::keyInSlot).toList();
    }

    /** A key of the probe whose hash slot is {@code slot}: {@code kbsync:readyz:{<n>}}, the least such n. */
    static String keyInSlot(int slot) {
        return "kbsync:readyz:{" + Tags.BY_SLOT[slot] + "}";
    }

    /** The least decimal hash tag of each slot (some 160,000 tags tried, once, a few ms). */
    private static final class Tags {
        static final int[] BY_SLOT = table();

        private static int[] table() {
            int[] table = new int[SLOTS];
            Arrays.fill(table, -1);
            int left = SLOTS;
            for (int n = 0; left > 0; n++) {
                int slot = slot(Integer.toString(n));
                if (table[slot] < 0) {
                    table[slot] = n;
                    left--;
                }
            }
            return table;
        }
    }

    /** The hash slot of {@code tag} (a key's hash tag, or the whole key without one), as Redis computes it. */
    static int slot(String tag) {
        return CRC16.crc16(tag.getBytes(StandardCharsets.UTF_8)) % SLOTS;
    }
}
