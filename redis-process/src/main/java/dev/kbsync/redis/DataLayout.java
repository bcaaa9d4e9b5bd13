package dev.kbsync.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses to start a {@code redis-server} on a data directory it cannot read. Redis 7 keeps its append-only files in
 * {@code appendonlydir/}; Redis 6 reads only {@code appendonly.aof}, so a directory written by 7 and started with 6
 * (the embedded binary, or another {@code redis-server} on {@code PATH} than last time) comes up empty: every job
 * accepted there and not yet landed would be lost, and the KBs' fencing counters would start over.
 */
final class DataLayout {
    private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.(\\d+)\\.(\\d+)");

    private DataLayout() {}

    static void check(Path dir, Path binary) {
        if (!Files.isDirectory(dir.resolve("appendonlydir"))) {
            return;
        }
        Optional<String> version = version(binary);
        if (version.isPresent() && Integer.parseInt(version.get().split("\\.")[0]) < 7) {
            throw new IllegalStateException("the data directory " + dir + " holds the append-only files of Redis 7 or"
                    + " newer (appendonlydir/), which " + binary + " (Redis " + version.get() + ") cannot read: it"
                    + " would start empty, and the jobs queued there would be lost. Run it with a redis-server 7 or"
                    + " newer: set REDIS_SERVER to one, or put it on PATH");
        }
    }

    /** What {@code redis-server --version} says ({@code 7.0.15}), empty when it cannot tell. */
    static Optional<String> version(Path binary) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version")
                    .redirectErrorStream(true)
                    .start();
            String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            Matcher m = VERSION.matcher(said);
            return m.find() ? Optional.of(m.group(1) + "." + m.group(2) + "." + m.group(3)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
