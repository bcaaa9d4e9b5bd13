package dev.kbsync.coordinator.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/** Finds the role of a presented token; every configured token is compared (constant time, by SHA-256 digest). */
public final class TokenAuthenticator {
    private final List<Entry> entries;

    public TokenAuthenticator(List<Token> tokens) {
        this.entries = tokens.stream()
                .map(t -> new Entry(digest(t.secret()), t.role()))
                .toList();
    }

    /** The role of {@code presented}, or empty when no configured token matches. */
    public Optional<Role> roleOf(String presented) {
        byte[] candidate = digest(presented);
        Role found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), candidate) && found == null) {
                found = entry.role();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }

    private record Entry(byte[] digest, Role role) {}
}
