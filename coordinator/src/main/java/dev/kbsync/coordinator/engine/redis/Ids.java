package dev.kbsync.coordinator.engine.redis;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random, URL-safe ids for jobs and tickets (96 bits, lowercase hex). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String next() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
