package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.WorkerPresence;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class PresenceInputTest {
    @Test
    void shouldReadTheLargestPresenceWithinTheDefaultBodyLimit() {
        JsonObject body = largest();

        WorkerPresence presence = PresenceInput.read(Fields.of(body, "", PresenceInput.FIELDS));

        assertThat(presence.running()).hasSize(PresenceInput.MAX_SLOTS);
        assertThat(presence.checkouts()).hasSize(PresenceInput.MAX_CHECKOUTS);
        assertThat(body.encode().length())
                .as("the largest presence a poll may carry fits the default 64 KiB body limit with room to spare")
                .isLessThan(32 * 1024);
    }

    @Test
    void shouldRefuseMoreCheckoutsThanTheLimit() {
        JsonObject body = largest();
        body.getJsonArray("checkouts").add(checkout("one-more"));

        assertThatThrownBy(() -> PresenceInput.read(Fields.of(body, "", PresenceInput.FIELDS)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("\"checkouts\" must be at most 64 entries");
    }

    private static JsonObject largest() {
        JsonArray running = new JsonArray();
        for (int slot = 1; slot <= PresenceInput.MAX_SLOTS; slot++) {
            running.add(new JsonObject()
                    .put("slot", slot)
                    .put("kb", "a-long-knowledge-base-name-" + slot)
                    .put("jobId", "a-long-kb-name~0123456789abcdef0123456789abcdef.12345")
                    .put("since", "2026-11-29T07:00:05.123456Z"));
        }
        JsonArray checkouts = new JsonArray();
        for (int i = 0; i < PresenceInput.MAX_CHECKOUTS; i++) {
            checkouts.add(checkout("a-long-knowledge-base-name-" + i));
        }
        return new JsonObject()
                .put("host", "a-rather-long-host-name.eu-west-1.compute.internal")
                .put("version", "0.1.0-SNAPSHOT")
                .put("slots", PresenceInput.MAX_SLOTS)
                .put("idleSlots", 0)
                .put("draining", false)
                .put("running", running)
                .put("checkouts", checkouts)
                .put("startedAt", "2026-11-29T06:00:00Z");
    }

    private static JsonObject checkout(String kb) {
        return new JsonObject()
                .put("kb", kb)
                .put("commit", "9d1e0c4a9d1e0c4a9d1e0c4a9d1e0c4a9d1e0c4a")
                .put("at", "2026-11-29T07:00:00.123456Z");
    }
}
