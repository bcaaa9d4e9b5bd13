package dev.kbsync.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches a Redis with {@code MONITOR} and checks the keys every Lua script touches against the keys it declared: an
 * {@code EVAL}/{@code EVALSHA} line (or their read-only forms) is followed by the commands its script ran ({@code [0 lua]} lines), in order.
 * {@link #undeclared()} lists every touched key a script did not pass in {@code KEYS}, with the script's first line.
 */
public final class ScriptMonitor implements AutoCloseable {
    private static final Set<String> KEYLESS = Set.of("time", "publish", "spublish", "ping", "echo");
    private static final Set<String> ALL_KEYS = Set.of("del", "exists", "unlink", "touch");
    private static final Set<String> SCRIPT_CALLS = Set.of("eval", "evalsha", "eval_ro", "evalsha_ro");

    private final Socket socket;
    private final List<List<String>> lines = new CopyOnWriteArrayList<>();

    private ScriptMonitor(Socket socket) {
        this.socket = socket;
    }

    /** Starts monitoring the Redis on 127.0.0.1:{@code port}. */
    public static ScriptMonitor start(int port) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            ScriptMonitor monitor = new ScriptMonitor(socket);
            Thread reader = new Thread(monitor::read, "script-monitor");
            reader.setDaemon(true);
            reader.start();
            return monitor;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scripts seen so far. */
    public int scripts() {
        return (int) lines.stream().filter(ScriptMonitor::isScript).count();
    }

    /** Scripts seen so far that declared {@code key} in their {@code KEYS}. */
    public int scripts(String key) {
        return (int) lines.stream()
                .filter(line -> isScript(line) && declaredKeys(line).contains(key))
                .count();
    }

    /** Scripts seen so far with any of {@code values} among their arguments ({@code ARGV}). */
    public int scriptsWithArgument(Collection<String> values) {
        return (int) lines.stream()
                .filter(line -> isScript(line) && arguments(line).stream().anyMatch(values::contains))
                .count();
    }

    /** Commands named {@code name} that clients (not scripts) sent on {@code key} so far. */
    public int commands(String name, String key) {
        return (int) lines.stream()
                .filter(line -> !line.get(0).equals("lua")
                        && line.size() > 2
                        && line.get(1).equalsIgnoreCase(name)
                        && line.get(2).equals(key))
                .count();
    }

    /** Every key touched by a script without being declared, as {@code key (command, in: script head)}. */
    public List<String> undeclared() {
        List<String> out = new ArrayList<>();
        Set<String> declared = new HashSet<>();
        String script = "";
        for (List<String> line : lines) {
            if (isScript(line)) {
                declared = new HashSet<>(declaredKeys(line));
                script = line.get(2).lines().findFirst().orElse("");
            } else if (line.get(0).equals("lua") && line.size() > 1) {
                for (String key : touched(line.subList(1, line.size()))) {
                    if (!declared.contains(key)) {
                        out.add(key + " (" + line.get(1) + ", in: " + script + ")");
                    }
                }
            } else {
                declared = Set.of();
            }
        }
        return out;
    }

    private static boolean isScript(List<String> line) {
        return !line.get(0).equals("lua")
                && line.size() > 3
                && SCRIPT_CALLS.contains(line.get(1).toLowerCase());
    }

    private static List<String> declaredKeys(List<String> line) {
        int n = Integer.parseInt(line.get(3));
        return line.subList(4, 4 + n);
    }

    private static List<String> arguments(List<String> line) {
        return line.subList(4 + Integer.parseInt(line.get(3)), line.size());
    }

    private static List<String> touched(List<String> command) {
        String name = command.get(0).toLowerCase();
        if (KEYLESS.contains(name) || command.size() < 2) {
            return List.of();
        }
        return ALL_KEYS.contains(name) ? command.subList(1, command.size()) : List.of(command.get(1));
    }

    private void read() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("+") && line.contains("] \"")) {
                    lines.add(parse(line));
                }
            }
        } catch (IOException closed) {
            // monitoring ended
        }
    }

    /** {@code +<time> [<db> <client>] "arg" "arg" ...} -> [client ("lua" for script commands), args...]. */
    static List<String> parse(String line) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open);
        String[] who = line.substring(open + 1, close).split(" ");
        List<String> out = new ArrayList<>();
        out.add(who.length > 1 ? who[1] : "");
        StringBuilder arg = null;
        for (int i = close + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (arg == null) {
                if (c == '"') {
                    arg = new StringBuilder();
                }
            } else if (c == '\\' && i + 1 < line.length()) {
                char next = line.charAt(++i);
                switch (next) {
                    case 'n' -> arg.append('\n');
                    case 'r' -> arg.append('\r');
                    case 't' -> arg.append('\t');
                    case 'x' -> {
                        arg.append((char) Integer.parseInt(line.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> arg.append(next);
                }
            } else if (c == '"') {
                out.add(arg.toString());
                arg = null;
            } else {
                arg.append(c);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
