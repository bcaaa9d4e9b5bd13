package dev.kbsync.bench;

import dev.kbsync.redis.RespClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Counts the commands clients send to a Redis, with {@code MONITOR}: a line per command a client sent, and one per
 * command a script ran ({@code [0 lua]}), which is part of its script's command and not counted. Commands that start
 * with one of the {@code ignored} texts (as MONITOR quotes them, e.g. {@code "PING"}: a probe on its own timer) are
 * left out. The counted window is bounded by two {@code ECHO} marks sent on a connection of their own: MONITOR lists
 * commands in the order Redis ran them, so a command sent before {@link #reset()} returned, but listed late, is not
 * counted, and every command Redis ran before {@link #counted()} is.
 */
final class CommandMonitor implements AutoCloseable {
    private final Socket socket;
    private final List<String> ignored;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile boolean counting;
    private volatile Mark mark;

    /** A mark sent, whether counting starts or stops there, and whether the monitor saw it. */
    private record Mark(String text, boolean starts, CountDownLatch seen) {}

    private CommandMonitor(Socket socket, int port, List<String> ignored) {
        this.socket = socket;
        this.port = port;
        this.ignored = ignored;
    }

    /** Starts monitoring the Redis at {@code redisUri} ({@code redis://host:port}). */
    static CommandMonitor start(String redisUri, List<String> ignored) throws IOException {
        URI uri = URI.create(redisUri);
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
        socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
        CommandMonitor monitor = new CommandMonitor(socket, uri.getPort(), ignored);
        Thread reader = new Thread(monitor::read, "bench-monitor");
        reader.setDaemon(true);
        reader.start();
        return monitor;
    }

    /** Counts from zero every command Redis runs after those sent before this call. */
    void reset() {
        awaitMark("kbsync-bench-start", true);
    }

    /** The commands counted since {@link #reset()}, up to those sent before this call (each its line, cut to 120). */
    List<String> counted() {
        awaitMark("kbsync-bench-stop", false);
        return List.copyOf(commands);
    }

    /** Sends {@code ECHO text-<nanos>} and waits until the monitor listed it: it starts (from zero) or stops there. */
    private void awaitMark(String text, boolean starts) {
        Mark sent = new Mark(text + "-" + System.nanoTime(), starts, new CountDownLatch(1));
        mark = sent;
        RespClient.once(port, Duration.ofSeconds(5), "ECHO", sent.text());
        try {
            if (!sent.seen().await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("MONITOR did not list " + sent.text() + " within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Mark sent = mark;
                if (sent != null && line.contains(sent.text())) {
                    if (sent.starts()) {
                        commands.clear();
                    }
                    counting = sent.starts();
                    sent.seen().countDown();
                    continue;
                }
                if (counting && line.startsWith("+") && !line.contains(" lua] ") && !ignored(line, ignored)) {
                    commands.add(line.substring(0, Math.min(120, line.length())));
                }
            }
        } catch (IOException closed) {
            // the monitor was closed
        }
    }

    /** The monitor's own {@code +OK}, or a command that starts with one of the ignored texts. */
    static boolean ignored(String line, List<String> ignored) {
        int at = line.indexOf("] ");
        if (line.startsWith("+OK") || at < 0) {
            return true;
        }
        String command = line.substring(at + 2).toUpperCase(Locale.ROOT);
        return ignored.stream().anyMatch(text -> command.startsWith(text.toUpperCase(Locale.ROOT)));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
