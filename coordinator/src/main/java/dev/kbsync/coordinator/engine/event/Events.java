package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.OutageLog;
import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.redisson.api.RTopic;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis pub/sub between coordinators on one topic, {@code kbsync:events}: {@code q <kb> <origin>} when a KB's queue
 * changed, {@code j <job id> <origin>} / {@code l <lease id> <origin>} when a step ended a job / a raw lease (the other coordinators' streams
 * of it get their final event even where they have no earlier view of the queue to compare with), {@code r <origin>}
 * when a job became dispatchable, {@code d ...} when a heartbeat changed what a grant's worker says it is doing
 * ({@link DoingChanged}), {@code w <worker id> <origin>} when a worker said it drains (its polls waiting at the
 * other coordinators end too), {@code a <origin>} when a worker's presence made it run agents (the others' reads of the
 * fleet from before it count no more), {@code h <origin>} as a coordinator's presence (on
 * start, every second, and in answer to a coordinator heard for the first time). Local effects never wait for the
 * echo of a coordinator's own message: {@link #ready()} wakes the local pollers at once, and queue changes are
 * applied locally by the caller. A coordinator that has heard no other coordinator for {@link #PEER_TTL_MS} publishes
 * no {@code q}/{@code r}/{@code d} at all (a single coordinator pays nothing for pub/sub); a coordinator that starts announces
 * itself first, and the others answer, so both sides publish to each other within one message.
 */
public final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);
    private final OutageLog publishing = new OutageLog(LOG, "publishing events");
    public static final String TOPIC = "kbsync:events";
    static final long PEER_TTL_MS = 5_000;
    public static final long PRESENCE_EVERY_MS = 1_000;

    private final Redis redis;
    private final RTopic topic;
    private final String origin;
    private final Map<String, Long> peers = new ConcurrentHashMap<>();
    private Runnable onReady = () -> {};
    private Runnable onResubscribed = () -> {};
    private BiConsumer<Boolean, String> onEnded = (job, id) -> {};
    private Consumer<KbId> onRemoved = kb -> {};
    private Consumer<String> onDrained = worker -> {};
    private Runnable onAgentJoined = () -> {};
    private Consumer<DoingChanged> onDoing = doing -> {};
    private int listenerId = -1;
    private int statusListenerId = -1;

    public Events(Redis redis, String origin) {
        this.origin = origin;
        this.redis = redis;
        this.topic = redis.client().getTopic(TOPIC, StringCodec.INSTANCE);
    }

    /**
     * Subscribes and announces this coordinator; {@code onQueue} gets the KBs other coordinators changed,
     * {@code onEnded} the jobs ({@code true}) and raw leases ({@code false}) they ended, {@code onReady} runs when a job became dispatchable (here or
     * elsewhere). Handlers run on the engine context.
     */
    public Future<Void> subscribe(
            BiConsumer<KbId, Boolean> onQueue, BiConsumer<Boolean, String> onEnded, Runnable onReady) {
        return subscribe(onQueue, onEnded, onReady, () -> {}, doing -> {});
    }

    /**
     * {@link #subscribe(BiConsumer, BiConsumer, Runnable)}, and {@code onResubscribed} runs (on the engine context) each
     * time the subscription came back after Redisson lost it: what other coordinators published meanwhile is lost;
     * {@code onDoing} gets what other coordinators' heartbeats changed a grant's {@code doing} to.
     */
    public Future<Void> subscribe(
            BiConsumer<KbId, Boolean> onQueue,
            BiConsumer<Boolean, String> onEnded,
            Runnable onReady,
            Runnable onResubscribed,
            Consumer<DoingChanged> onDoing) {
        this.onReady = onReady;
        this.onDoing = onDoing;
        this.onEnded = onEnded;
        this.onResubscribed = onResubscribed;
        return redis.on(topic.addListenerAsync(
                        String.class,
                        (channel, message) -> redis.context().runOnContext(v -> dispatch(message, onQueue))))
                .compose(id -> {
                    listenerId = id;
                    return redis.on(topic.addListenerAsync(new Resubscribed()));
                })
                .map(id -> {
                    statusListenerId = id;
                    announce();
                    return null;
                });
    }

    /**
     * Redisson subscribes again after Redis restarted or failed over, or the connection broke; what was published
     * meanwhile is lost, a "job ready" and a job's end among it. So this coordinator's pollers look at the ready set at
     * once rather than after their safety timer, the KBs watched here are read again (their streams get what ended
     * meanwhile), and it announces itself to peers that stopped publishing to it while they did not hear it.
     */
    private final class Resubscribed extends BaseStatusListener {
        @Override
        public void onSubscribe(String channel) {
            LOG.info("subscribed to {} (again): catching up with what other coordinators published meanwhile", channel);
            redis.context().runOnContext(v -> {
                onReady.run();
                onResubscribed.run();
                announce();
            });
        }
    }

    public void queueChanged(KbId kb) {
        if (hasPeers()) {
            publish("q " + kb.value() + " " + origin);
        }
    }

    /** {@code kb} was removed here; {@link #whenRemoved} hears it on the other coordinators. */
    public void removed(KbId kb) {
        if (hasPeers()) {
            publish("x " + kb.value() + " " + origin);
        }
    }

    /** {@code onRemoved} gets the KBs other coordinators removed (on the engine context); set before subscribing. */
    public void whenRemoved(Consumer<KbId> onRemoved) {
        this.onRemoved = onRemoved;
    }

    /** The worker {@code workerId} said here that it drains; {@link #whenDrained} hears it on the other coordinators. */
    public void drained(String workerId) {
        if (hasPeers()) {
            publish("w " + workerId + " " + origin);
        }
    }

    /** {@code onDrained} gets the workers that said at other coordinators that they drain (on the engine context). */
    public void whenDrained(Consumer<String> onDrained) {
        this.onDrained = onDrained;
    }

    /** A worker's presence stored here made it run agents; {@link #whenAgentJoined} hears it on the other coordinators. */
    public void agentJoined() {
        if (hasPeers()) {
            publish("a " + origin);
        }
    }

    /** {@code onAgentJoined} runs (on the engine context) when another coordinator stored such a presence. */
    public void whenAgentJoined(Runnable onAgentJoined) {
        this.onAgentJoined = onAgentJoined;
    }

    /** A step here ended the job ({@code job}) or raw lease {@code id} (ids hold no spaces). */
    public void ended(boolean job, String id) {
        if (hasPeers()) {
            publish((job ? "j " : "l ") + id + " " + origin);
        }
    }

    /** A heartbeat here changed what a grant's worker says it is doing. */
    public void doing(DoingChanged change) {
        if (hasPeers()) {
            publish(change.message(origin));
        }
    }

    /** Wakes this coordinator's pollers at once and the other coordinators' through pub/sub. */
    public void ready() {
        redis.context().runOnContext(v -> onReady.run());
        if (hasPeers()) {
            publish("r " + origin);
        }
    }

    /** Called every {@link #PRESENCE_EVERY_MS}: announces this coordinator. */
    public void beat() {
        announce();
    }

    public Future<Void> close() {
        return remove(statusListenerId).compose(v -> remove(listenerId));
    }

    private Future<Void> remove(int id) {
        return id < 0 ? Future.succeededFuture() : redis.on(topic.removeListenerAsync(id));
    }

    private void announce() {
        publish("h " + origin);
    }

    private boolean hasPeers() {
        long now = System.nanoTime();
        peers.values().removeIf(heard -> now - heard > TimeUnit.MILLISECONDS.toNanos(PEER_TTL_MS));
        return !peers.isEmpty();
    }

    private void publish(String message) {
        topic.publishAsync(message).whenComplete((n, e) -> {
            if (e != null) {
                publishing.failed(message, e);
            } else {
                publishing.succeeded();
            }
        });
    }

    private void dispatch(String message, BiConsumer<KbId, Boolean> onQueue) {
        String[] parts = message.split(" ");
        String from = parts[parts.length - 1];
        boolean elsewhere = parts.length > 1 && !origin.equals(from);
        if (elsewhere && peers.put(from, System.nanoTime()) == null && parts[0].equals("h")) {
            announce(); // a coordinator heard for the first time learns of this one at once
        }
        if (parts[0].equals("r") && (parts.length == 1 || elsewhere)) {
            onReady.run();
        } else if (parts[0].equals("q") && parts.length == 3 && elsewhere) {
            onQueue.accept(KbId.of(parts[1]), true);
        } else if (parts[0].equals("x") && parts.length == 3 && elsewhere) {
            onRemoved.accept(KbId.of(parts[1]));
        } else if (parts[0].equals("w") && parts.length == 3 && elsewhere) {
            onDrained.accept(parts[1]);
        } else if (parts[0].equals("a") && parts.length == 2 && elsewhere) {
            onAgentJoined.run();
        } else if ((parts[0].equals("j") || parts[0].equals("l")) && parts.length == 3 && elsewhere) {
            onEnded.accept(parts[0].equals("j"), parts[1]);
        } else if (parts[0].equals("d") && elsewhere) {
            DoingChanged.parse(parts).ifPresent(onDoing);
        }
    }
}
