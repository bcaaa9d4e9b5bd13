package dev.kbsync.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Counts the commands clients send to a Redis, with {@code MONITOR}: a line per command a client sent, and one per
 * command a script ran ({@code [0 lua]}), which is part of its script's command and not counted. Commands that start
 * with one of the {@code ignored} texts (as MONITOR quotes them, e.g. {@code "PING"}: a probe on its own timer) are
 * left out.
 */
final class CommandMonitor implements AutoCloseable {
    private final Socket socket;
    private final List<String> ignored;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile boolean counting;

    private CommandMonitor(Socket socket, List<String> ignored) {
        this.socket = socket;
        this.ignored = ignored;
    }

    /** Starts monitoring the Redis at {@code redisUri} ({@code redis://host:port}). */
    static CommandMonitor start(String redisUri, List<String> ignored) throws IOException {
        URI uri = URI.create(redisUri);
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
        socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
        CommandMonitor monitor = new CommandMonitor(socket, ignored);
        Thread reader = new Thread(monitor::read, "bench-monitor");
        reader.setDaemon(true);
        reader.start();
        return monitor;
    }

    /** Counts from now on, from zero. */
    void reset() {
        commands.clear();
        counting = true;
    }

    /** The commands counted since {@link #reset()} (each its monitor line, cut to 120 characters). */
    List<String> counted() {
        counting = false;
        return List.copyOf(commands);
    }

    private void read() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (counting && line.startsWith("+") && !line.contains(" lua] ") && !ignoredLine(line)) {
                    commands.add(line.substring(0, Math.min(120, line.length())));
                }
            }
        } catch (IOException closed) {
            // the monitor was closed
        }
    }

    /** The monitor's own {@code +OK}, or a command that starts with one of the ignored texts. */
    private boolean ignoredLine(String line) {
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
