package dev.kbsync.api;

import java.util.regex.Pattern;

/** Job, lease and idempotency ids: opaque to clients, {@code [A-Za-z0-9._:~-]{1,128}}. */
public final class OpaqueId {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:~-]{1,128}");

    private OpaqueId() {}

    /** {@code value} when it is a well-formed id, else {@link InvalidInputException} with {@code code}. */
    public static String check(String code, String what, String value) {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new InvalidInputException(code, what + " must match [A-Za-z0-9._:~-]{1,128}");
        }
        return value;
    }
}
