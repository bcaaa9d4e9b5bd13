package dev.kbsync.coordinator.engine.redis;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random, URL-safe ids: tickets (96 bits) and per-call nonces that make every job lease id unique (48 bits). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String next() {
        return hex(12);
    }

    /** A nonce for one script call: part of the lease ids of the job grants it makes. */
    public static String nonce() {
        return hex(6);
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
