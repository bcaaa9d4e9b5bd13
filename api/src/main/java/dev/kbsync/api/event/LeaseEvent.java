package dev.kbsync.api.event;

import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** An event of a raw lease's stream ({@code GET /v1/leases/{id}/events}), with the whole lease. */
public sealed interface LeaseEvent extends KbsyncEvent {
    Lease lease();

    @Override
    default JsonObject data() {
        return lease().toJson();
    }

    @Override
    default boolean last() {
        return lease().state() == LeaseState.RELEASED || lease().state() == LeaseState.EXPIRED;
    }

    /** The lease's queue position ({@code ahead}) changed. */
    record Position(Lease lease) implements LeaseEvent {
        @Override
        public String name() {
            return "position";
        }
    }

    /** The lease's state changed (also the first event of a stream: the state when it opened). */
    record State(Lease lease) implements LeaseEvent {
        @Override
        public String name() {
            return "state";
        }
    }

    /** The event an SSE frame carries; empty for an event name this version does not know. */
    static Optional<LeaseEvent> decode(String name, JsonObject data) {
        return switch (name) {
            case "position" -> Optional.of(new Position(Lease.fromJson(data)));
            case "state" -> Optional.of(new State(Lease.fromJson(data)));
            default -> Optional.empty();
        };
    }
}
