package dev.kbsync.coordinator.auth;

/** A configured bearer token and its role; {@link #toString()} masks the secret. */
public record Token(String secret, Role role) {
    public static final int MIN_LENGTH = 16;

    @Override
    public String toString() {
        return "Token[***, " + role.wire() + "]";
    }
}
