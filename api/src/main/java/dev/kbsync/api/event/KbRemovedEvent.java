package dev.kbsync.api.event;

import dev.kbsync.api.KbId;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** A KB was removed ({@code DELETE /v1/kbs/{kb}}), on {@code GET /v1/events}: drop it from a list of KBs. */
public record KbRemovedEvent(KbId kb) implements KbsyncEvent {
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

    /** The event an SSE frame carries; empty for another event name. */
    public static Optional<KbRemovedEvent> decode(String name, JsonObject data) {
        return name.equals("kb-removed")
                ? Optional.of(new KbRemovedEvent(KbId.of(data.getString("kb"))))
                : Optional.empty();
    }
}
