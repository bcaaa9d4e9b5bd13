package dev.kbsync.redis;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * Waits until a starting {@code redis-server} answers {@code PING}: its port opens within {@link #START}, and a Redis
 * still loading its append-only file ({@code -LOADING}) gets up to {@link #LOAD} in all. A process that exits or
 * does not get there is killed and reported with its log file (an exit with the log's last lines).
 */
final class Readiness {
    static final Duration START = Duration.ofSeconds(10);
    static final Duration LOAD = Duration.ofMinutes(2);
    private static final Duration CALL = Duration.ofMillis(500);

    private Readiness() {}

    static void await(Process process, int port, File log) {
        long start = System.nanoTime();
        boolean loading = false;
        while (System.nanoTime() - start < (loading ? LOAD : START).toNanos()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start; see " + log + ":\n" + tail(log));
            }
            try {
                if ("PONG".equals(RespClient.once(port, CALL, "PING"))) {
                    return;
                }
            } catch (IllegalStateException e) {
                loading = loading || String.valueOf(e.getMessage()).startsWith("LOADING");
            } catch (RuntimeException notYet) {
                // port not open yet
            }
            sleep(20);
        }
        process.destroyForcibly();
        throw new IllegalStateException(
                "redis-server on port " + port + " was not ready within " + (loading ? LOAD : START) + "; see " + log);
    }

    /** The log's last lines (a bind failure says {@code Address already in use} there), or why there are none. */
    private static String tail(File log) {
        try {
            List<String> lines = Files.readAllLines(log.toPath());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
