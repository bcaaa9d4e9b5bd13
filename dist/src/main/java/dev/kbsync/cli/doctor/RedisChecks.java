package dev.kbsync.cli.doctor;

import static dev.kbsync.config.Check.masked;

import dev.kbsync.coordinator.RedisClients;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNode.InfoSection;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;

/**
 * Redis as the coordinator would see it (its own Redisson configuration: single, Sentinel or Cluster): reachable,
 * its version, an eviction policy that never drops kbsync's keys, persistence, replicas and Sentinel's view, and the
 * clock. On a Cluster every master is checked and the worst result shown.
 */
final class RedisChecks {
    private final Duration timeout;

    RedisChecks(Duration timeout) {
        this.timeout = timeout;
    }

    List<Check> run(CoordinatorConfig.Redis config) {
        String where = config.configFile().map(f -> "the Redis of " + f).orElseGet(() -> masked(config.address()));
        RedissonClient client;
        Config redisson;
        try {
            redisson = RedisClients.redissonConfig(config);
            if (redisson.isSingleConfig()) {
                redisson.useSingleServer()
                        .setConnectTimeout(millis())
                        .setTimeout(millis())
                        .setRetryAttempts(0)
                        .setConnectionMinimumIdleSize(1)
                        .setSubscriptionConnectionMinimumIdleSize(0);
            }
            client = connect(redisson);
        } catch (Exception e) {
            return List.of(Check.fail("redis reachable", where + " does not answer: " + masked(Causes.root(e))));
        }
        try {
            List<RedisNode> masters = masters(client, redisson);
            long started = System.nanoTime();
            masters.get(0).ping();
            long pingMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            List<RedisSettings> nodes =
                    masters.stream().map(RedisChecks::settings).toList();
            List<Check> checks = new ArrayList<>();
            checks.add(Check.pass(
                    "redis reachable",
                    where + " answered PING in " + pingMs + " ms"
                            + (masters.size() > 1 ? " (" + masters.size() + " masters)" : "")));
            checks.add(worst(nodes, RedisSettings::version));
            checks.add(worst(nodes, RedisSettings::evictionPolicy));
            checks.add(worst(nodes, RedisSettings::persistence));
            checks.add(worst(nodes, RedisSettings::replicas));
            checks.add(
                    redisson.isSentinelConfig()
                            ? SentinelView.check(
                                    client, redisson.useSentinelServers().getMasterName())
                            : Check.skip("redis sentinel", "not a Sentinel setup"));
            checks.add(Clock.skew(masters.get(0)));
            return checks;
        } catch (RuntimeException e) {
            return List.of(Check.fail("redis reachable", where + " failed a command: " + masked(Causes.root(e))));
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /** Connects within the timeout (Redisson's own retries may take longer). */
    private RedissonClient connect(Config redisson) throws Exception {
        CompletableFuture<RedissonClient> client = CompletableFuture.supplyAsync(() -> Redisson.create(redisson));
        try {
            return client.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            client.thenAccept(RedissonClient::shutdown);
            throw new IllegalStateException("no answer within " + timeout.toSeconds() * 2 + " s", e);
        }
    }

    private static List<RedisNode> masters(RedissonClient client, Config redisson) {
        if (redisson.isClusterConfig()) {
            return List.copyOf(client.getRedisNodes(RedisNodes.CLUSTER).getMasters());
        }
        if (redisson.isSentinelConfig()) {
            return List.of(
                    client.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE).getMaster());
        }
        return List.of(client.getRedisNodes(RedisNodes.SINGLE).getInstance());
    }

    /** INFO, and {@code appendfsync} through CONFIG GET (not in INFO; "unknown" when CONFIG is refused). */
    private static RedisSettings settings(RedisNode node) {
        String appendfsync;
        try {
            appendfsync = node.getConfig("appendfsync").getOrDefault("appendfsync", "unknown");
        } catch (RuntimeException refused) {
            appendfsync = "unknown";
        }
        return new RedisSettings(node.getAddr().toString(), node.info(InfoSection.ALL), appendfsync);
    }

    /** The check of every master: the worst one, naming its node when there are several. */
    private static Check worst(List<RedisSettings> nodes, Function<RedisSettings, Check> check) {
        Check worst = null;
        RedisSettings where = null;
        for (RedisSettings node : nodes) {
            Check c = check.apply(node);
            if (worst == null || c.status().ordinal() > worst.status().ordinal()) {
                worst = c;
                where = node;
            }
        }
        return nodes.size() == 1
                ? worst
                : new Check(worst.name(), worst.status(), where.address() + ": " + worst.detail());
    }

    private int millis() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }
}
