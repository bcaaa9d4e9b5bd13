package dev.kbsync.bench;

import java.nio.file.Path;

/** What every scenario gets: the Redis to use, a scratch dir, and whether this is a quick (smoke) run. */
record BenchContext(String redisUri, Path scratch, boolean quick) {
    /** The port of the bench's Redis. */
    int redisPort() {
        return java.net.URI.create(redisUri).getPort();
    }

    /** {@code n} for a full run, a tenth (at least 20) for a quick one. */
    int scaled(int n) {
        return quick ? Math.max(20, n / 10) : n;
    }

    /** Length of a fixed-time run: 10 s, or 2 s when quick. */
    int seconds() {
        return quick ? 2 : 10;
    }

    /** Length of the untimed run before a fixed-time run: 3 s, or 1 s when quick. */
    int warmupSeconds() {
        return quick ? 1 : 3;
    }
}
