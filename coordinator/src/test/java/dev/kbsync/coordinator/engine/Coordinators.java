package dev.kbsync.coordinator.engine;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Test fixture: coordinators on one test Redis, each with its own Vert.x instance and Redisson client. */
public final class Coordinators implements AutoCloseable {
    private final Supplier<Config> redisson;
    private final List<Node> nodes = new ArrayList<>();

    /** One coordinator process, as far as the engine can tell. */
    public record Node(Vertx vertx, RedissonClient client, Engine engine) {}

    public Coordinators(RedisExtension redis) {
        this(() -> {
            Config config = new Config();
            config.useSingleServer().setAddress(redis.uri());
            return config;
        });
    }

    /** Coordinators on the Redis deployment {@code redisson} describes (a fresh config per client). */
    Coordinators(Supplier<Config> redisson) {
        this.redisson = redisson;
    }

    /**
     * Short TTLs so expiry tests stay fast: lease 1.5 s, max hold 20 s, watchdog 1.5 s; waiters (kept alive every
     * 400 ms by {@link LeaseClient}) 3 s, so a loaded machine does not drop live ones.
     */
    public static EngineConfig config(String id) {
        return new EngineConfig(
                id,
                Duration.ofMillis(1500),
                Duration.ofSeconds(20),
                Duration.ofSeconds(3),
                Duration.ofMillis(1500),
                Duration.ofMillis(100));
    }

    /**
     * A job a degraded coordinator's journal accepted (its own id, created now), as a restore into Redis takes it: the
     * 202's id is all its caller knows.
     */
    static dev.kbsync.api.Job journaled(KbId kb, String user, dev.kbsync.api.JobPayload payload) {
        return dev.kbsync.api.Job.queued(
                dev.kbsync.coordinator.engine.ticket.JobRef.create(kb).id(),
                kb,
                user,
                payload,
                java.time.Instant.now());
    }

    Engine start(EngineConfig config) {
        return start(config, MetricsSink.NONE).engine();
    }

    public Node start(EngineConfig config, MetricsSink metrics) {
        return start(config, metrics, client(config));
    }

    /**
     * A coordinator that reaches Redis at {@code uri} (e.g. through a fault proxy), with a 30 s command timeout so a
     * test can hold its answers back without Redisson retrying the commands.
     */
    Node start(EngineConfig config, MetricsSink metrics, String uri) {
        return start(config, metrics, uri, Duration.ofSeconds(30));
    }

    /**
     * A coordinator that reaches Redis at {@code uri} with Redisson's command timeout {@code timeout} and its own
     * settings otherwise (as deployed: it sends a command again after a late answer unless told not to).
     */
    Node start(EngineConfig config, MetricsSink metrics, String uri, Duration timeout) {
        Config proxied = new Config();
        proxied.useSingleServer().setAddress(uri).setTimeout((int) timeout.toMillis());
        return start(config, metrics, Redisson.create(Engine.tune(proxied, config)));
    }

    private Node start(EngineConfig config, MetricsSink metrics, RedissonClient client) {
        Vertx vertx = Vertx.vertx();
        Node node = new Node(vertx, client, await(Engine.start(vertx, client, config, metrics)));
        nodes.add(node);
        return node;
    }

    /** A Redisson client as a coordinator would build it (tuned for the engine), not started as one. */
    RedissonClient client(EngineConfig config) {
        return Redisson.create(Engine.tune(redisson.get(), config));
    }

    Node node(int index) {
        return nodes.get(index);
    }

    int size() {
        return nodes.size();
    }

    RedissonClient clientOf(int index) {
        return nodes.get(index).client();
    }

    /** Kills a coordinator abruptly: its Redisson client goes away without releasing anything. */
    void kill(int index) {
        Node node = nodes.get(index);
        node.client().shutdown(0, 1, TimeUnit.SECONDS);
        await(node.vertx().close());
    }

    public void register(Engine engine, String... kbs) {
        for (String kb : kbs) {
            await(engine.services().kbs().register(new KbConfig(KbId.of(kb), "file:///tmp/" + kb, "main")));
        }
    }

    public static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (!node.client().isShutdown()) {
                await(node.engine().stop());
                node.client().shutdown();
                await(node.vertx().close());
            }
        }
    }

    /** Sleeps {@code ms}; an interrupt fails the test. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
