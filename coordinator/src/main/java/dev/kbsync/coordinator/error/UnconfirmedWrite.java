package dev.kbsync.coordinator.error;

import dev.kbsync.api.ErrorCodes;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * {@code REPLICATION_TIMEOUT}: a durable script ran on the master, but too few replicas confirmed its writes in time, so
 * its answer is withheld from the caller (503). Carries that answer, for a step that must take back what the script
 * did (a claim no worker will learn of).
 */
public final class UnconfirmedWrite extends UnavailableException {
    private static final long serialVersionUID = 1L;
    private final transient JsonObject reply;

    public UnconfirmedWrite(String message, Duration retryAfter, JsonObject reply) {
        super(ErrorCodes.REPLICATION_TIMEOUT, message, retryAfter);
        this.reply = reply;
    }

    /** The script's answer, withheld from the caller; null if it had none. */
    public JsonObject reply() {
        return reply;
    }
}
