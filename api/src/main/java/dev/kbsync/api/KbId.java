package dev.kbsync.api;

import java.util.regex.Pattern;

/** A knowledge base's id: {@code [a-z0-9][a-z0-9._-]{0,63}}; it is also the per-KB Redis hash tag. */
public record KbId(String value) {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public KbId {
        if (!valid(value)) {
            throw new InvalidInputException(
                    "INVALID_KB", "KB id must match [a-z0-9][a-z0-9._-]{0,63}, got " + Quoting.quote(value));
        }
    }

    public static KbId of(String value) {
        return new KbId(value);
    }

    /** Whether {@code value} is a KB id (no exception for one that is not: a lease id's KB part, say). */
    public static boolean valid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
