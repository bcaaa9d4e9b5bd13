package dev.kbsync.redis;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Waits until a starting {@code redis-server} answers {@code PING} (itself: {@code INFO}'s {@code process_id} is its
 * pid, not another Redis' that held the port): its port opens within {@link #START}, and a Redis
 * still loading its append-only file ({@code -LOADING}) gets up to {@link #LOAD} in all. A process that exits or
 * does not get there is killed and reported with its log file (an exit with the log's last lines, on one line).
 */
final class Readiness {
    static final Duration START = Duration.ofSeconds(10);
    static final Duration LOAD = Duration.ofMinutes(2);
    private static final Duration CALL = Duration.ofMillis(500);

    private Readiness() {}

    /** {@code password}: the one the Redis requires ({@code AUTH} before the {@code PING}), if any. */
    static void await(Process process, int port, Optional<String> password, File log) {
        long start = System.nanoTime();
        boolean loading = false;
        while (System.nanoTime() - start < (loading ? LOAD : START).toNanos()) {
            if (!process.isAlive()) {
                String tail = tail(log);
                throw new IllegalStateException(
                        "redis-server exited at start" + (tail.isEmpty() ? "" : " (" + tail + ")") + "; see " + log);
            }
            try {
                if ("PONG".equals(RespClient.once(port, password, CALL, "PING")) && answers(process, port, password)) {
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

    /**
     * Whether the Redis on {@code port} is {@code process} itself, not another one that held the port before it (which
     * then fails to bind and exits).
     */
    private static boolean answers(Process process, int port, Optional<String> password) {
        Object info = RespClient.once(port, password, CALL, "INFO", "server");
        return RespClient.infoField(info, "process_id").equals(Optional.of(Long.toString(process.pid())));
    }

    /**
     * The log's last 3 lines on one line (a bind failure says {@code Address already in use} there; the message is one
     * line of {@code kbsync up}'s error), empty when there are none or the log cannot be read.
     */
    private static String tail(File log) {
        try {
            List<String> lines = Files.readAllLines(log.toPath()).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "";
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
