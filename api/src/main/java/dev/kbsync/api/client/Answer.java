package dev.kbsync.api.client;

import dev.kbsync.api.ApiError;
import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * An HTTP answer to a request sent to a coordinator, read once: a 2xx's JSON object, or an error answer as its
 * {@link KbsyncException}. Only kbsync's error JSON ({@code {"error":{"code","message"}}}) is the coordinator's error;
 * an error answer without it came from a server that is not kbsync ({@link KbsyncException.NotKbsync}: a wrong URL or
 * path prefix, or a proxy that refused the request), except a proxy's 502, 503 or 504, which says that the coordinator
 * behind it is unavailable ({@link KbsyncException.ServiceUnavailable}, as kbsync's own 503), and a proxy's 429, a rate
 * limit ({@link KbsyncException.RateLimited}, as kbsync's own), and a proxy's 408, a request that did not arrive whole
 * in time (as kbsync's own {@code REQUEST_TIMEOUT}).
 */
record Answer(Endpoint at, String request, int status, String reason, MultiMap headers, Buffer body) {
    /** The longest {@code Retry-After} taken as it is: a longer one counts as this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /** The answer to a call or a stream's request. */
    static Answer of(Endpoint at, HttpClientResponse response, Buffer body) {
        String request =
                response.request().getMethod() + " " + response.request().path();
        return new Answer(at, request, response.statusCode(), response.statusMessage(), response.headers(), body);
    }

    /** The answer that refused a WebSocket upgrade of {@code path}. */
    static Answer of(Endpoint at, String path, UpgradeRejectedException rejected) {
        return new Answer(
                at,
                "GET " + at.prefix() + path,
                rejected.getStatus(),
                "",
                rejected.getHeaders() == null ? MultiMap.caseInsensitiveMultiMap() : rejected.getHeaders(),
                rejected.getBody() == null ? Buffer.buffer() : rejected.getBody());
    }

    /** A 2xx's JSON object (null when empty, and for a 304); any other answer is thrown as its exception. */
    JsonObject json() {
        if (status >= 200 && status < 300) {
            return body.length() == 0
                    ? null
                    : json(body)
                            .orElseThrow(() -> new KbsyncException.NotKbsync(
                                    at.url(), "HTTP " + status + " with a body that is not a JSON object", null));
        }
        if (status == 304) {
            return null;
        }
        throw failure();
    }

    /** The exception for this answer, which is an error answer. */
    KbsyncException failure() {
        Optional<Duration> retryAfter = retryAfter(headers.get("Retry-After"));
        Optional<ApiError> kbsync = json(body).flatMap(ApiError::fromJson);
        if (kbsync.isPresent()) {
            return KbsyncException.of(status, kbsync.get(), retryAfter);
        }
        if (status == 429) {
            return KbsyncException.of(
                    429,
                    new ApiError(
                            "HTTP_429",
                            "rate limited at " + at.url() + ": " + described() + " (a proxy limits this client)"),
                    retryAfter);
        }
        if (status == 408) {
            return KbsyncException.of(
                    408,
                    new ApiError(
                            "HTTP_408",
                            "the request to " + at.url() + " did not arrive whole in time: " + described()
                                    + " (a proxy gave up on it); nothing was done"),
                    retryAfter);
        }
        if (status == 502 || status == 503 || status == 504) {
            return KbsyncException.unavailableBehind(
                    status,
                    "the coordinator at " + at.url() + " is unavailable: " + described()
                            + " (a proxy or gateway answered in its place); retry later",
                    retryAfter);
        }
        return new KbsyncException.NotKbsync(
                at.url(),
                described()
                        + ": a wrong URL or path prefix, or a proxy in front of the coordinator refused the request",
                null);
    }

    /** E.g. {@code GET /v1/jobs/j1 answered HTTP 404 Not Found with text/html, not kbsync's error JSON}. */
    private String described() {
        String location = headers.get("Location");
        String type = headers.get("Content-Type");
        return request + " answered HTTP " + status + (reason.isEmpty() ? "" : " " + reason)
                + (location == null ? "" : " (to " + location + ")")
                + (body.length() == 0 ? " with no body" : type == null ? "" : " with " + type)
                + ", not kbsync's error JSON";
    }

    private static Optional<JsonObject> json(Buffer body) {
        try {
            return body.length() == 0 ? Optional.empty() : Optional.of(body.toJsonObject());
        } catch (DecodeException | ClassCastException notJson) {
            return Optional.empty();
        }
    }

    /**
     * {@code Retry-After}: in seconds (the form kbsync sends), or an HTTP date (a proxy's), the time from now until
     * then (none once it passed); at most {@link #MAX_RETRY_AFTER} (a longer pause would not be waited for, and could
     * not be counted in nanoseconds). Empty when absent or neither form.
     */
    static Optional<Duration> retryAfter(String header) {
        return retryAfter(header, Instant.now());
    }

    /** {@link #retryAfter(String)} at {@code now}. */
    static Optional<Duration> retryAfter(String header, Instant now) {
        if (header == null) {
            return Optional.empty();
        }
        String value = header.trim();
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Optional.of(atMost(Duration.ofSeconds(Long.parseLong(value))));
            } catch (NumberFormatException | ArithmeticException tooLong) { // digits beyond a long: huge
                return Optional.of(MAX_RETRY_AFTER);
            }
        }
        try {
            Duration until = Duration.between(
                    now,
                    ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                            .toInstant());
            return Optional.of(until.isNegative() ? Duration.ZERO : atMost(until));
        } catch (DateTimeParseException notADate) {
            return Optional.empty();
        }
    }

    private static Duration atMost(Duration pause) {
        return pause.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : pause;
    }
}
