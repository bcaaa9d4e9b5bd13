package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A coordinator's pub/sub subscription is cut when Redis restarts or fails over, and messages published before
 * Redisson subscribes again are lost, a "job ready" among them: the pollers would wait for their 1 s safety timer.
 * Once subscribed again the coordinator wakes its pollers, which look at the ready set.
 */
@TimingSensitive
class EventsResubscribeIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldWakeThePollersAndAnnounceItselfOnceSubscribedAgain() {
        Vertx vertx = Vertx.vertx();
        Config config = new Config();
        config.useSingleServer().setAddress(redis.uri());
        RedissonClient client = Redisson.create(config);
        AtomicInteger woken = new AtomicInteger();
        try {
            Redis link = new Redis(client, vertx.getOrCreateContext(), Redis.Replication.none());
            Events events = new Events(link, "me");
            Node.get(
                    events.subscribe((kb, remote) -> {}, (job, id) -> {}, woken::incrementAndGet),
                    Duration.ofSeconds(10));
            Holder.pause(500);
            woken.set(0);

            redis.process().kill();
            redis.process().restart();

            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(woken.get())
                            .as("pollers woken after the subscription came back, with no message published")
                            .isPositive());
            Node.get(events.close(), Duration.ofSeconds(10));
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            Node.get(vertx.close(), Duration.ofSeconds(10));
        }
    }
}
