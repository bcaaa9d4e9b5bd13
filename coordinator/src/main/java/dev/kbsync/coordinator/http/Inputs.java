package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.RelativePath;
import java.time.Duration;
import java.util.regex.Pattern;

/** Syntactic checks of user input; each failure is a 400 with its own code. The worker enforces full path safety. */
final class Inputs {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:~-]{1,128}");
    private static final int MAX_TITLE = 200;
    private static final int MAX_PATH = 255;

    private Inputs() {}

    static String user(String value) {
        return name("INVALID_USER", "user", value);
    }

    static String name(String code, String what, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new InvalidInputException(
                    code, what + " must match [A-Za-z0-9._@-]{1,64}, got " + Quoting.quote(value));
        }
        return value;
    }

    /** Job, lease and idempotency ids: {@code [A-Za-z0-9._:~-]{1,128}}. */
    static String id(String code, String what, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new InvalidInputException(code, what + " must match [A-Za-z0-9._:~-]{1,128}");
        }
        return value;
    }

    static String text(String field, String value, int max) {
        if (value.isBlank()) {
            throw new InvalidInputException("INVALID_TEXT", field + " must not be blank");
        }
        if (value.length() > max) {
            throw new InvalidInputException(
                    "TEXT_TOO_LONG", field + " is " + value.length() + " characters; the limit is " + max);
        }
        return value;
    }

    static String title(String value) {
        if (value.length() > MAX_TITLE || value.chars().anyMatch(c -> c < 0x20)) {
            throw new InvalidInputException(
                    "INVALID_TITLE", "title must be at most " + MAX_TITLE + " characters without control characters");
        }
        return value;
    }

    /** At most {@value #MAX_PATH} characters and {@link RelativePath}'s rules; the worker enforces full path safety. */
    static String path(String value) {
        if (value.length() > MAX_PATH) {
            throw RelativePath.reject(value, "is longer than " + MAX_PATH + " characters");
        }
        return RelativePath.check(value);
    }

    static Duration ttl(long ttlMs, Duration maxHold) {
        if (ttlMs < 1000 || ttlMs > maxHold.toMillis()) {
            throw new InvalidInputException(
                    "INVALID_TTL", "ttlMs must be between 1000 and " + maxHold.toMillis() + ", got " + ttlMs);
        }
        return Duration.ofMillis(ttlMs);
    }
}
