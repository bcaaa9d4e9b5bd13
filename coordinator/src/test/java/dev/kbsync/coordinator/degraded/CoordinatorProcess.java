package dev.kbsync.coordinator.degraded;

import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A real coordinator process ({@code CoordinatorMain} on the test class path), for kill -9 and SIGTERM. */
final class CoordinatorProcess implements AutoCloseable {
    private final Process process;
    private final Http http;

    private CoordinatorProcess(Process process, int port) {
        this.process = process;
        this.http = new Http(port);
    }

    /**
     * The settings of a coordinator without auth on {@code redisUri} that journals while Redis is unreachable, in
     * {@code journal}, and knows the KB {@code kb} (remote {@code /srv/git/<kb>.git}, branch main).
     */
    static Map<String, String> journaling(String redisUri, String kb, Path journal) {
        return Map.of(
                "KBSYNC_AUTH_ENABLED",
                "false",
                "KBSYNC_REDIS_ADDRESS",
                redisUri,
                "KBSYNC_KBS",
                kb + "=/srv/git/" + kb + ".git#main",
                "KBSYNC_DEGRADED_JOURNAL_DIR",
                journal.toString());
    }

    /**
     * Starts it with {@code env} (its HTTP port chosen here) and waits until it answers {@code /healthz}. A port another
     * test's server took between the pick and the child's bind is picked again (at most 3 times); any other exit at
     * start fails with the end of the child's log.
     */
    static CoordinatorProcess start(Map<String, String> env, Path log) {
        for (int attempt = 1; ; attempt++) {
            long logged = log.toFile().length();
            int port = freePort();
            ProcessBuilder builder = new ProcessBuilder(
                    ChildJvm.command(List.of(), "dev.kbsync.coordinator.CoordinatorMain", List.of()));
            builder.environment().putAll(env);
            builder.environment().put("KBSYNC_HTTP_PORT", Integer.toString(port));
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            try {
                CoordinatorProcess started = new CoordinatorProcess(builder.start(), port);
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> !started.process.isAlive()
                                || started.http.get("/healthz").status() == 200);
                if (started.process.isAlive()) {
                    return started;
                }
                byte[] all = Files.readAllBytes(log);
                String output = new String(all, (int) logged, all.length - (int) logged, StandardCharsets.UTF_8);
                if (attempt < 3 && output.contains("Address already in use")) {
                    continue;
                }
                throw new IllegalStateException("the coordinator exited at start (" + log + "):\n"
                        + output.substring(Math.max(0, output.length() - 4000)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    Http http() {
        return http;
    }

    /** How a {@link #terminate}d process ended: its exit status and how long after the SIGTERM. */
    record Exit(int status, Duration took) {}

    /** SIGTERM, then waits up to {@code atMost} for the process to exit; empty while it still runs then. */
    Optional<Exit> terminate(Duration atMost) throws InterruptedException {
        long sent = System.nanoTime();
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        return Optional.of(new Exit(process.exitValue(), Duration.ofNanos(System.nanoTime() - sent)));
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A child's log (its last 60 lines), for a failure's message: the temp directory goes with the test. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
