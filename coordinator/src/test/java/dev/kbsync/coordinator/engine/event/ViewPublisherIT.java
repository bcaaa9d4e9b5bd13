package dev.kbsync.coordinator.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.KbView;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.Watchers;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** The {@link ViewPublisher}'s per-KB state against a real Redis: what it keeps of a KB goes with the KB's last stream. */
class ViewPublisherIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final EngineConfig CONFIG = new EngineConfig(
            "views",
            Duration.ofMillis(1500),
            Duration.ofSeconds(20),
            Duration.ofSeconds(3),
            Duration.ofMillis(1500),
            Duration.ofMillis(100));

    private Vertx vertx;
    private RedissonClient client;
    private Engine engine;

    @BeforeEach
    void start() {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.uri());
        vertx = Vertx.vertx();
        client = Redisson.create(Engine.tune(config, CONFIG));
        engine = await(Engine.start(vertx, client, CONFIG, MetricsSink.NONE));
    }

    @AfterEach
    void stop() {
        await(engine.stop());
        client.shutdown();
        await(vertx.close());
    }

    /**
     * A KB's last stream closed and its state was forgotten while a job's read for its event was under way: the read,
     * answered later, keeps nothing (kept, it would never go, and a later stream of the KB would be sent its stale
     * fields in position events).
     */
    @Test
    void shouldKeepNoJobReadForAKbForgottenWhileTheReadWasUnderWay() {
        KbId kb = KbId.of("forgotten");
        await(engine.services().kbs().register(new KbConfig(kb, "file:///tmp/forgotten", "main")));
        String job = await(engine.services()
                        .jobs()
                        .submit(kb, "alice", new JobPayload.Note("hello", null, null), Optional.empty()))
                .id();
        Context context = vertx.getOrCreateContext();
        Tickets tickets =
                new Tickets(new Redis(client, context, Redis.Replication.none()), DriverSettings.of(CONFIG), "views");
        Watchers watchers = new Watchers();
        ViewPublisher views = new ViewPublisher(
                vertx.eventBus(), MetricsSink.NONE, watchers, new TicketSender(vertx.eventBus(), tickets));
        KbView view = await(tickets.view(kb));
        Watchers.Watch watch = watchers.kb(kb); // its first state not told yet: the job's state is read and sent

        Promise<Void> published = Promise.promise();
        context.runOnContext(v -> {
            views.publish(view).onComplete(published); // the job's read is under way ...
            watch.close();
            views.forget(kb); // ... as the KB's last stream closes
        });
        await(published.future());

        assertThat(views.tracked(kb)).isFalse();
        assertThat(views.jobsKept()).as("jobs kept after the KB was forgotten").doesNotContain(job);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
