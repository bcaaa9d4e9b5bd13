package dev.kbsync.coordinator.http;

import dev.kbsync.api.Activity;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.OpaqueId;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.RelativePath;
import dev.kbsync.api.UnicodeForm;
import dev.kbsync.coordinator.config.Webhooks;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/** Syntactic checks of user input; each failure is a 400 with its own code. The worker enforces full path safety. */
final class Inputs {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    /** A full commit id: 40 lower-case hex digits (the repositories' SHA-1 object ids). */
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private static final Pattern ERROR_CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private static final Pattern LINK =
            Pattern.compile("https?://[^\\s\\p{Cntrl}\\x{80}-\\x{9f}\"<>\\\\^`{|}]{1,2040}");
    private static final int MAX_TITLE = 200;
    private static final int MAX_PATH = 255;
    private static final int MAX_CALLBACK = 2048;
    private static final String LONE_SURROGATE =
            " must not hold an unpaired surrogate (a \\ud800-\\udfff escape without its pair): it has no UTF-8 form";

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
        return OpaqueId.check(code, what, value);
    }

    /** A commit id reported in field {@code field}: a full one, or 400 INVALID_FIELD. */
    static String commit(String field, String value) {
        if (!COMMIT.matcher(value).matches()) {
            throw new InvalidInputException(
                    "INVALID_FIELD",
                    "field " + Quoting.quote(field) + " must be a full commit id (40 lower-case hex digits)");
        }
        return value;
    }

    /** An error code reported in field {@code field}: {@code [A-Z][A-Z0-9_]{0,63}}, or 400 INVALID_FIELD. */
    static String errorCode(String field, String value) {
        if (!ERROR_CODE.matcher(value).matches()) {
            throw new InvalidInputException(
                    "INVALID_FIELD",
                    "field " + Quoting.quote(field) + " must match [A-Z][A-Z0-9_]{0,63}, got " + Quoting.quote(value));
        }
        return value;
    }

    /** A note's text or an agent's task: not blank, at most {@code max} characters, no lone surrogate. */
    static String text(String field, String value, int max) {
        if (value.isBlank()) {
            throw new InvalidInputException("INVALID_TEXT", field + " must not be blank");
        }
        if (value.length() > max) {
            throw new InvalidInputException(
                    "TEXT_TOO_LONG", field + " is " + value.length() + " characters; the limit is " + max);
        }
        if (loneSurrogate(value)) {
            throw new InvalidInputException("INVALID_TEXT", field + LONE_SURROGATE);
        }
        return value;
    }

    /**
     * A note's title: at most {@value #MAX_TITLE} characters, one line, no control character (C0, DEL or C1), no lone
     * surrogate.
     */
    static String title(String value) {
        if (loneSurrogate(value)) {
            throw new InvalidInputException("INVALID_TITLE", "title" + LONE_SURROGATE);
        }
        if (value.length() > MAX_TITLE || value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(
                    "INVALID_TITLE",
                    "title must be at most " + MAX_TITLE
                            + " characters without control characters (U+0000-U+001F, U+007F-U+009F)");
        }
        return value;
    }

    /**
     * What a heartbeat says its holder is doing: {@link Activity}'s one line of at most {@value Activity#MAX_LENGTH}
     * characters, or 400 INVALID_FIELD; stripped (a blank one clears what was said; streams get no event for that).
     */
    static String doing(String value) {
        if (!Activity.valid(value)) {
            throw new InvalidInputException(
                    "INVALID_FIELD",
                    "field \"doing\" must be at most " + Activity.MAX_LENGTH
                            + " characters without control characters (U+0000-U+001F, U+007F-U+009F) or unpaired"
                            + " surrogates");
        }
        return value.strip();
    }

    /**
     * A path in a KB (a file a worker reports): at most {@value #MAX_PATH} characters and {@link RelativePath}'s rules;
     * the worker enforces full path safety.
     */
    static String path(String value) {
        if (loneSurrogate(value)) {
            throw new InvalidInputException("INVALID_PATH", "path" + LONE_SURROGATE); // not repeated: no UTF-8 form
        }
        if (value.length() > MAX_PATH) {
            throw RelativePath.reject(value, "is longer than " + MAX_PATH + " characters");
        }
        return RelativePath.check(value);
    }

    /**
     * A path a note is to create, in NFC ({@link UnicodeForm}: the form kbsync writes): {@link #path}, and no name git
     * refuses ({@link RelativePath#checkNew}).
     */
    static String newPath(String value) {
        String sent = path(value); // first as sent: a lone surrogate has no NFC
        return RelativePath.checkNew(path(UnicodeForm.nfc(sent)));
    }

    /**
     * A browser link a worker reports (a file's or a commit's): {@code http(s)://}, no spaces, quotes or controls (C0,
     * DEL or C1).
     */
    static String link(String field, String value) {
        if (!LINK.matcher(value).matches()) {
            throw new InvalidInputException(
                    "INVALID_FIELD",
                    "field " + Quoting.quote(field) + " must be an http(s) URL without spaces or quotes");
        }
        return value;
    }

    /**
     * A job's callback URL: absolute {@code http(s)://host[:port]/...} (port 1-65535) without user info or fragment (else 400
     * INVALID_CALLBACK_URL), whose host is on {@code webhooks}' list (else, and while webhooks are off, 400
     * CALLBACK_NOT_ALLOWED), as text: the delivery checks the host again, and the address it resolves to.
     */
    static String callbackUrl(String value, Webhooks webhooks) {
        URI uri;
        try {
            uri = value.length() > MAX_CALLBACK || value.chars().anyMatch(c -> c <= 0x20) || loneSurrogate(value)
                    ? null
                    : new URI(value);
        } catch (URISyntaxException e) {
            uri = null;
        }
        String scheme =
                uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri == null
                || !(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getPort() == 0
                || uri.getPort() > 65535
                || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            throw new InvalidInputException(
                    "INVALID_CALLBACK_URL",
                    "callbackUrl must be an absolute http(s) URL with a host (and a port from 1 to 65535, if any),"
                            + " without user info or fragment, at most " + MAX_CALLBACK + " characters");
        }
        if (!webhooks.enabled()) {
            throw new InvalidInputException(
                    "CALLBACK_NOT_ALLOWED", "webhooks are off on this deployment (webhooks.allowedHosts is unset)");
        }
        if (!webhooks.allowsHostOf(uri)) {
            throw new InvalidInputException(
                    "CALLBACK_NOT_ALLOWED",
                    "callbackUrl host " + Quoting.quote(Webhooks.hostOf(uri)) + " is not in the allowed webhook hosts");
        }
        return value;
    }

    /** {@link UnicodeForm#hasLoneSurrogate}. */
    static boolean loneSurrogate(String value) {
        return UnicodeForm.hasLoneSurrogate(value);
    }

    /** The longest a long poll waits ({@code waitMs}, a worker's poll or a lease request): 30 s. */
    static final long MAX_WAIT_MS = 30_000;

    /** A long poll's {@code waitMs}: {@code fallbackMs} when absent, 400 when negative, capped at {@link #MAX_WAIT_MS}. */
    static Duration waitMs(Fields body, long fallbackMs) {
        long waitMs = body.optLong("waitMs").orElse(fallbackMs);
        if (waitMs < 0) {
            throw new InvalidInputException("INVALID_FIELD", "field \"waitMs\" must be >= 0");
        }
        return Duration.ofMillis(Math.min(waitMs, MAX_WAIT_MS));
    }

    static Duration ttl(long ttlMs, Duration maxHold) {
        if (ttlMs < 1000 || ttlMs > maxHold.toMillis()) {
            throw new InvalidInputException(
                    "INVALID_TTL", "ttlMs must be between 1000 and " + maxHold.toMillis() + ", got " + ttlMs);
        }
        return Duration.ofMillis(ttlMs);
    }
}
