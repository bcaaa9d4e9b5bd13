package dev.kbsync.coordinator.auth;

import java.util.Locale;

/**
 * A request without a valid token (401 UNAUTHENTICATED), whose role may not do this (403 FORBIDDEN), or outside the
 * token's KBs or users (403 SCOPE_KB, SCOPE_USER).
 */
public final class AuthException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    private AuthException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static AuthException unauthenticated(String message) {
        return new AuthException(401, "UNAUTHENTICATED", message);
    }

    static AuthException forbidden(Role role, Access access) {
        return new AuthException(
                403,
                "FORBIDDEN",
                "role " + role.wire() + " may not " + access.name().toLowerCase(Locale.ROOT) + " here");
    }

    /** 403 with a scope code: the token's role allows the request, its KBs or users do not. */
    static AuthException scope(String code, String message) {
        return new AuthException(403, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
