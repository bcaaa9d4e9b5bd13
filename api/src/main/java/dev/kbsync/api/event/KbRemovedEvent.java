package dev.kbsync.api.event;

import dev.kbsync.api.KbId;
import io.vertx.core.json.JsonObject;

/**
 * A KB was removed ({@code DELETE /v1/kbs/{kb}}): on {@code GET /v1/events}, drop it from a list of KBs; on the KB's
 * own stream ({@code GET /v1/kbs/{kb}/events}) it is the last event, stop following the KB. Not {@link #last()}, as
 * the stream of every KB goes on after it.
 */
public record KbRemovedEvent(KbId kb) implements QueueEvent {
    @Override
    public String name() {
        return "kb-removed";
    }

    @Override
    public JsonObject data() {
        return new JsonObject().put("kb", kb.value());
    }

    @Override
    public boolean last() {
        return false;
    }
}
