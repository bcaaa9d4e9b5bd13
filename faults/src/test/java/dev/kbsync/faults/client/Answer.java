package dev.kbsync.faults.client;

import io.vertx.core.json.JsonObject;

/**
 * An HTTP answer: its status, its JSON body (empty when it had none or it was not JSON) and whether it carried a
 * {@code Retry-After} header.
 */
public record Answer(int status, JsonObject body, boolean retryAfter) {
    /** Marks, in a recorded failure's state, a 503 that did not say when to retry. */
    public static final String NO_RETRY_AFTER = "(no Retry-After)";

    public String string(String field) {
        Object value = body.getValue(field);
        return value == null ? "" : value.toString();
    }

    public long number(String field) {
        Number value = body.getNumber(field);
        return value == null ? 0 : value.longValue();
    }

    /** The {@code ahead} field, -1 when absent. */
    public int ahead() {
        Number value = body.getNumber("ahead");
        return value == null ? -1 : value.intValue();
    }

    /** The error code of an error answer; a 503 without {@code Retry-After} is marked {@link #NO_RETRY_AFTER}. */
    public String errorCode() {
        JsonObject error = body.getJsonObject("error");
        String code = error == null ? "" : error.getString("code", "");
        return status == 503 && !retryAfter ? code + " " + NO_RETRY_AFTER : code;
    }
}
