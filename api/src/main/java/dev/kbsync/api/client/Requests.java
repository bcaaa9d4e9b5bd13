package dev.kbsync.api.client;

import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.QueueEvent;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link AsyncKbsyncClient}'s plumbing: its requests through the {@link Transport}, the decoding of their answers
 * (an answer that cannot be decoded fails {@link KbsyncException.NotKbsync}), and its typed event streams.
 */
final class Requests {
    private static final Map<String, String> RETURN_MINIMAL = Map.of("Prefer", "return=minimal");

    private final Transport http;

    Requests(Transport http) {
        this.http = http;
    }

    Transport transport() {
        return http;
    }

    /** {@code GET path}, its answer decoded. */
    <T> Future<T> get(String path, Function<JsonObject, T> decode) {
        return get(path).map(decoded(decode));
    }

    /** {@code GET path}, its answer as it came. */
    Future<JsonObject> get(String path) {
        return http.call(HttpMethod.GET, path, null, null, Duration.ZERO);
    }

    /** {@code GET path} with {@code If-None-Match: etag}: empty if not modified (304), else the answer decoded. */
    <T> Future<Optional<T>> getIfNoneMatch(String path, String etag, Function<JsonObject, T> decode) {
        return http.call(HttpMethod.GET, path, null, null, Duration.ZERO, Map.of("If-None-Match", etag))
                .map(json -> Optional.ofNullable(json).map(decoded(decode)));
    }

    /** {@code POST path} with {@code body} (null: an empty object), its answer decoded. */
    <T> Future<T> post(String path, JsonObject body, String idempotencyKey, Function<JsonObject, T> decode) {
        return http.call(HttpMethod.POST, path, body == null ? new JsonObject() : body, idempotencyKey, Duration.ZERO)
                .map(decoded(decode));
    }

    /** {@link #post} asking for the short answer ({@code Prefer: return=minimal}). */
    <T> Future<T> postMinimal(String path, JsonObject body, String idempotencyKey, Function<JsonObject, T> decode) {
        return http.call(HttpMethod.POST, path, body, idempotencyKey, Duration.ZERO, RETURN_MINIMAL)
                .map(decoded(decode));
    }

    /** {@code POST path} answered within {@code wait} (a long poll): empty if answered with nothing, else decoded. */
    <T> Future<Optional<T>> postWaiting(String path, JsonObject body, Duration wait, Function<JsonObject, T> decode) {
        return http.call(HttpMethod.POST, path, body, null, wait)
                .map(json -> Optional.ofNullable(json).map(decoded(decode)));
    }

    /** A call of {@code method} with no idempotency key, its answer decoded. */
    <T> Future<T> call(HttpMethod method, String path, JsonObject body, Duration wait, Function<JsonObject, T> decode) {
        return call(method, path, body, wait).map(decoded(decode));
    }

    /** A call of {@code method} with no idempotency key, its answer as it came. */
    Future<JsonObject> call(HttpMethod method, String path, JsonObject body, Duration wait) {
        return http.call(method, path, body, null, wait);
    }

    /** The job events of the stream at {@code path}. */
    Future<Subscription> jobEvents(String path, Consumer<JobEvent> onEvent) {
        return http.stream(path, (name, data) -> JobEvent.decode(name, data).ifPresent(onEvent));
    }

    /** The lease events of the stream at {@code path}. */
    Future<Subscription> leaseEvents(String path, Consumer<LeaseEvent> onEvent) {
        return http.stream(path, (name, data) -> LeaseEvent.decode(name, data).ifPresent(onEvent));
    }

    /** The queue events (snapshots, removals) of the stream at {@code path}. */
    Future<Subscription> queueEvents(String path, Consumer<QueueEvent> onEvent) {
        return http.stream(path, (name, data) -> QueueEvent.decode(name, data).ifPresent(onEvent));
    }

    /** {@code decode} of a 2xx answer; an answer it cannot decode fails {@link KbsyncException.NotKbsync}. */
    <T> Function<JsonObject, T> decoded(Function<JsonObject, T> decode) {
        return json -> {
            try {
                return decode.apply(json);
            } catch (RuntimeException e) { // a field missing (null), of another type, or with a value out of range
                throw new KbsyncException.NotKbsync(
                        http.endpoints().current().url(), "its answer lacks the fields of kbsync's", e);
            }
        };
    }
}
