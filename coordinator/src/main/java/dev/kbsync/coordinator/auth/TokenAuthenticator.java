package dev.kbsync.coordinator.auth;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Finds who presents a token: the presented value's SHA-256 digest is compared with every configured digest, each in
 * constant time and all of them every time, so neither the match nor its position shows in the timing.
 */
public final class TokenAuthenticator {
    private final List<Entry> entries;

    public TokenAuthenticator(List<Token> tokens) {
        this.entries = tokens.stream()
                .map(t -> new Entry(HexFormat.of().parseHex(t.sha256()), t.caller()))
                .toList();
    }

    /** The caller of {@code presented}, or empty when no configured token matches. */
    public Optional<Caller> callerOf(String presented) {
        byte[] candidate = Token.sha256(presented);
        Caller found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), candidate) && found == null) {
                found = entry.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    private record Entry(byte[] digest, Caller caller) {}
}
