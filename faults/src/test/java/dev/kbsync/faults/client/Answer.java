package dev.kbsync.faults.client;

import io.vertx.core.json.JsonObject;

/** An HTTP answer: its status and its JSON body (empty when it had none or it was not JSON). */
public record Answer(int status, JsonObject body) {
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

    public String errorCode() {
        JsonObject error = body.getJsonObject("error");
        return error == null ? "" : error.getString("code", "");
    }
}
