package dev.kbsync.coordinator.service;

import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbRemovedEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/**
 * Passes {@link KbsyncEvent} records over the local event bus as they are: no JSON round trip, no copy per consumer
 * (records are immutable). Queue events never leave their coordinator's JVM (other coordinators learn of changes
 * through Redis pub/sub), so there is no wire form.
 */
public final class LocalEventCodec<T extends KbsyncEvent> implements MessageCodec<T, T> {
    private static final List<Class<? extends KbsyncEvent>> TYPES = List.of(
            JobEvent.Position.class,
            JobEvent.State.class,
            KbRemovedEvent.class,
            JobEvent.Doing.class,
            LeaseEvent.Position.class,
            LeaseEvent.State.class,
            SnapshotEvent.class);

    private final Class<T> type;

    private LocalEventCodec(Class<T> type) {
        this.type = type;
    }

    /** Makes every event type publishable on {@code bus}; publishers call it, calling it again is harmless. */
    public static void registerOn(EventBus bus) {
        TYPES.forEach(type -> register(bus, type));
    }

    private static <T extends KbsyncEvent> void register(EventBus bus, Class<T> type) {
        try {
            bus.registerDefaultCodec(type, new LocalEventCodec<>(type));
        } catch (IllegalStateException alreadyRegistered) {
            // another publisher on the same Vert.x instance registered it first
        }
    }

    @Override
    public void encodeToWire(Buffer buffer, T event) {
        throw new UnsupportedOperationException("queue events are local to one coordinator");
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        throw new UnsupportedOperationException("queue events are local to one coordinator");
    }

    @Override
    public T transform(T event) {
        return event;
    }

    @Override
    public String name() {
        return "kbsync.local." + type.getName();
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
