package dev.kbsync.coordinator.engine;

import dev.kbsync.kb.KbId;
import io.vertx.core.Future;
import java.util.function.BiConsumer;
import org.redisson.api.RTopic;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis pub/sub between coordinators on one topic, {@code kbsync:events}: {@code q <kb> <origin coordinator>} when a KB's queue
 * changed, {@code r} when a job became dispatchable. Every coordinator, the publisher included, receives each message.
 */
final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);
    static final String TOPIC = "kbsync:events";

    private final Redis redis;
    private final RTopic topic;
    private int listenerId = -1;

    private final String origin;

    Events(Redis redis, String origin) {
        this.origin = origin;
        this.redis = redis;
        this.topic = redis.client().getTopic(TOPIC, StringCodec.INSTANCE);
    }

    /**
     * Subscribes; {@code onQueue} gets the KB whose queue changed and whether the change was made elsewhere. Handlers
     * run on the engine context.
     */
    Future<Void> subscribe(BiConsumer<KbId, Boolean> onQueue, Runnable onReady) {
        return redis.on(topic.addListenerAsync(
                        String.class,
                        (channel, message) -> redis.context().runOnContext(v -> dispatch(message, onQueue, onReady))))
                .map(id -> {
                    listenerId = id;
                    return null;
                });
    }

    void queueChanged(KbId kb) {
        publish("q " + kb.value() + " " + origin);
    }

    void ready() {
        publish("r");
    }

    Future<Void> close() {
        return listenerId < 0 ? Future.succeededFuture() : redis.on(topic.removeListenerAsync(listenerId));
    }

    private void publish(String message) {
        topic.publishAsync(message).whenComplete((n, e) -> {
            if (e != null) {
                LOG.warn("publishing {} failed: {}", message, e.toString());
            }
        });
    }

    private void dispatch(String message, BiConsumer<KbId, Boolean> onQueue, Runnable onReady) {
        String[] parts = message.split(" ");
        if (parts[0].equals("r")) {
            onReady.run();
        } else if (parts[0].equals("q") && parts.length == 3) {
            onQueue.accept(KbId.of(parts[1]), !origin.equals(parts[2]));
        }
    }
}
