package dev.kbsync.redis;

/** A JVM that extracts the embedded redis-server, prints where, and exits (for {@link RedisBinaryTest}). */
public final class EmbeddedBinaryMain {
    private EmbeddedBinaryMain() {}

    public static void main(String[] args) {
        System.out.println(RedisBinary.embedded().orElseThrow());
    }
}
