package dev.kbsync.coordinator.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A configured bearer token: its name (logs, quota), the SHA-256 digest of its secret (the secret itself is not kept),
 * its role, the KBs and users it may act on, and its submission quota per rate-limit window (0: none). {@link
 * #toString()} shows the name only.
 */
public record Token(String name, String sha256, Role role, NamePatterns kbs, NamePatterns users, int quota) {
    public static final int MIN_LENGTH = 16;
    private static final String HASH_PREFIX = "sha256:";
    private static final Pattern HASHED = Pattern.compile("(?i)sha256:([0-9a-f]{64})");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public Token {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a token name must match [A-Za-z0-9._-]{1,64}");
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
        }
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(kbs, "kbs");
        Objects.requireNonNull(users, "users");
        if (quota < 0) {
            throw new IllegalArgumentException("quota must be >= 0");
        }
    }

    /** An unscoped token without quota, named {@code <role>-<first 8 hex digits of its digest>}. */
    public static Token of(String value, Role role) {
        String digest = digestOf(value);
        return new Token(
                role.wire() + "-" + digest.substring(0, 8), digest, role, NamePatterns.ANY, NamePatterns.ANY, 0);
    }

    /**
     * The digest of a configured value: {@code sha256:<64 hex digits>} is taken as the digest itself (the config need
     * not hold the token), anything else is the token (at least {@link #MIN_LENGTH} characters). A value that starts
     * with {@code sha256:} but holds no such digest (cut short, a pasted {@code sha256sum} line) is refused: taken as
     * the token itself, it would let anyone who reads the config use it.
     */
    public static String digestOf(String value) {
        var hashed = HASHED.matcher(value == null ? "" : value);
        if (hashed.matches()) {
            return hashed.group(1).toLowerCase(Locale.ROOT);
        }
        if (value != null && value.regionMatches(true, 0, HASH_PREFIX, 0, HASH_PREFIX.length())) {
            throw new IllegalArgumentException(
                    "a value starting with sha256: must be sha256:<64 hex digits> and nothing else (the digest"
                            + " of the token, as sha256sum prints it, without its file name)");
        }
        if (value == null || value.length() < MIN_LENGTH) {
            throw new IllegalArgumentException(
                    "must be at least " + MIN_LENGTH + " characters, or sha256:<64 lowercase hex digits>");
        }
        return HexFormat.of().formatHex(sha256(value));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }

    /** Who a request with this token acts as. */
    public Caller caller() {
        return new Caller(name, role, kbs, users, quota);
    }

    @Override
    public String toString() {
        return "Token[" + name + ", " + role.wire() + ", kbs=" + kbs + ", users=" + users + ", quota=" + quota + "]";
    }
}
