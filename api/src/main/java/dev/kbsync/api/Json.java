package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** Small decoding helpers shared by the wire records' codecs. */
final class Json {
    private Json() {}

    /** The objects of {@code array} (null reads as empty), each decoded. */
    static <T> List<T> list(JsonArray array, Function<JsonObject, T> decode) {
        return array == null
                ? List.of()
                : array.stream().map(o -> decode.apply((JsonObject) o)).toList();
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
