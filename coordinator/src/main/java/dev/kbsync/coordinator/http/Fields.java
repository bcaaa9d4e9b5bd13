package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Quoting;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Strict reading of one JSON object: unknown fields (400 UNKNOWN_FIELD), missing required ones (400 MISSING_FIELD)
 * and wrong types (400 INVALID_FIELD) are rejected with the field's path in the message.
 */
final class Fields {
    private final JsonObject json;
    private final String prefix;

    private Fields(JsonObject json, String prefix) {
        this.json = json;
        this.prefix = prefix;
    }

    static Fields of(JsonObject json, String prefix, String... allowed) {
        List<String> names = List.of(allowed);
        for (String name : json.fieldNames()) {
            if (!names.contains(name)) {
                throw new InvalidInputException(
                        "UNKNOWN_FIELD", "unknown field " + Quoting.quote(prefix + name) + "; allowed: " + names);
            }
        }
        return new Fields(json, prefix);
    }

    String string(String name) {
        return optString(name).orElseThrow(() -> missing(name));
    }

    Optional<String> optString(String name) {
        return typed(name, String.class, "a string");
    }

    Optional<Long> optLong(String name) {
        Optional<Number> number = typed(name, Number.class, "an integer");
        if (number.isPresent() && !(number.get() instanceof Integer || number.get() instanceof Long)) {
            throw invalid(name, "an integer");
        }
        return number.map(Number::longValue);
    }

    Optional<Boolean> optBoolean(String name) {
        return typed(name, Boolean.class, "true or false");
    }

    long integer(String name) {
        return optLong(name).orElseThrow(() -> missing(name));
    }

    Optional<JsonArray> optArray(String name) {
        return typed(name, JsonArray.class, "an array");
    }

    Optional<Fields> optObject(String name, String... allowed) {
        return typed(name, JsonObject.class, "an object").map(o -> of(o, prefix + name + ".", allowed));
    }

    /** An object field as it is, for a record that checks its own fields. */
    Optional<JsonObject> optJson(String name) {
        return typed(name, JsonObject.class, "an object");
    }

    /** Element {@code i} of an array field, which must be an object with only {@code allowed} fields. */
    Fields element(JsonArray array, String name, int i, String... allowed) {
        if (!(array.getValue(i) instanceof JsonObject object)) {
            throw invalid(name + "[" + i + "]", "an object");
        }
        return of(object, prefix + name + "[" + i + "].", allowed);
    }

    private <T> Optional<T> typed(String name, Class<T> type, String what) {
        Object value = json.getValue(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!type.isInstance(value)) {
            throw invalid(name, what);
        }
        return Optional.of(type.cast(value));
    }

    private InvalidInputException missing(String name) {
        return new InvalidInputException("MISSING_FIELD", "field " + Quoting.quote(prefix + name) + " is required");
    }

    /** 400 INVALID_FIELD naming the field (with this object's path) and what it must be. */
    InvalidInputException invalid(String name, String what) {
        return new InvalidInputException("INVALID_FIELD", "field " + Quoting.quote(prefix + name) + " must be " + what);
    }
}
