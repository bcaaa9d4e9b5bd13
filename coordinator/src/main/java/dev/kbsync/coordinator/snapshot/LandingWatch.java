package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Tells the mirrors when a job of a mirrored KB landed: it watches the KB's queue events (on this coordinator's event
 * bus) and reports the KB whenever a holder or group-commit member of the previous snapshot is gone from the next
 * (its job was reported, or its lease released or expired), and whenever a job or raw lease of the KB ended (its final
 * event; a grant made and ended between two snapshots is in neither): that is when the KB's branch may have moved.
 */
public final class LandingWatch implements AutoCloseable {
    private final Vertx vertx;
    private final Supplier<Watchers> watchers;
    private final Consumer<KbId> landed;
    private final Map<KbId, Subscription> subscriptions = new ConcurrentHashMap<>();

    public LandingWatch(Vertx vertx, Watchers watchers, Consumer<KbId> landed) {
        this(vertx, () -> watchers, landed);
    }

    /** {@code watchers}: the engine's, asked at the first watch of a KB (a coordinator may start before its engine). */
    public LandingWatch(Vertx vertx, Supplier<Watchers> watchers, Consumer<KbId> landed) {
        this.vertx = vertx;
        this.watchers = watchers;
        this.landed = landed;
    }

    /** Starts watching {@code kb} (once; later calls are harmless). */
    public void watch(KbId kb) {
        subscriptions.computeIfAbsent(kb, this::subscribe);
    }

    /**
     * Stops watching {@code kb} (its mirror is gone: the KB was removed): its watch and event-bus consumers go. Harmless
     * for a KB not watched; a later {@link #watch} starts again.
     */
    public void unwatch(KbId kb) {
        Subscription gone = subscriptions.remove(kb);
        if (gone != null) {
            gone.close();
        }
    }

    private Subscription subscribe(KbId kb) {
        Watchers.Watch watch = watchers.get().kb(kb);
        watch.told(List.of()); // it reads no first state: the fan-out holds nothing back on its account
        Set<String> holding = ConcurrentHashMap.newKeySet();
        MessageConsumer<KbsyncEvent> consumer = vertx.eventBus()
                .<KbsyncEvent>localConsumer(QueueAddresses.kb(kb), msg -> {
                    if (msg.body() instanceof SnapshotEvent event) {
                        Set<String> now = holders(event.snapshot());
                        boolean someLeft = holding.stream().anyMatch(t -> !now.contains(t));
                        holding.clear();
                        holding.addAll(now);
                        if (someLeft) {
                            landed.accept(kb);
                        }
                    }
                });
        // A grant that ended before any refresh showed it held (granted and released between two views) is seen only
        // by its final event.
        MessageConsumer<KbsyncEvent> ended =
                vertx.eventBus().<KbsyncEvent>localConsumer(QueueAddresses.ended(kb), msg -> landed.accept(kb));
        return new Subscription(watch, consumer, ended);
    }

    private static Set<String> holders(QueueSnapshot snapshot) {
        Set<String> tickets = new HashSet<>();
        snapshot.holder().map(QueueEntry::ticketId).ifPresent(tickets::add);
        snapshot.running().stream().map(QueueEntry::ticketId).forEach(tickets::add);
        return tickets;
    }

    @Override
    public void close() {
        List.copyOf(subscriptions.values()).forEach(Subscription::close);
        subscriptions.clear();
    }

    private record Subscription(
            Watchers.Watch watch, MessageConsumer<KbsyncEvent> consumer, MessageConsumer<KbsyncEvent> ended) {
        void close() {
            consumer.unregister();
            ended.unregister();
            watch.close();
        }
    }
}
