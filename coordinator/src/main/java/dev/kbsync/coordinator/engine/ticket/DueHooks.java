package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.KbId;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One claim of a KB's due webhook deliveries (hooks.lua): those claimed now, and how many deliveries the KB has {@code
 * left} (the claimed ones included, and those waiting for a retry); none left means none can fall due later.
 */
public record DueHooks(List<DueHook> due, long left) {
    public DueHooks {
        due = List.copyOf(due);
    }

    /** Whether the KB has no delivery left, due now or later. */
    public boolean noneLeft() {
        return left == 0;
    }

    static DueHooks fromScript(KbId kb, JsonObject r) {
        return new DueHooks(DueHook.fromScript(kb, r), r.getLong("left"));
    }
}
