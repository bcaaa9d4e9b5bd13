package dev.kbsync.redis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A minimal RESP2 client over a raw socket, so process control and test fixtures need no Redis client library. Replies are
 * {@code String} (simple and bulk), {@code Long}, {@code List<Object>} or {@code null}; an error reply throws
 * {@link IllegalStateException}; socket failures and timeouts throw {@link UncheckedIOException}.
 */
public final class RespClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; {@code timeout} bounds the connect and every reply. */
    public static RespClient connect(int port, Duration timeout) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return new RespClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("redis at 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #connect(int, Duration)}, then {@code AUTH password} if there is one. A Redis that has no password set
     * (one an earlier kbsync without passwords left running) is taken as it is; a wrong password throws {@link
     * IllegalStateException} ({@code WRONGPASS ...}). The password appears in no message.
     */
    public static RespClient connect(int port, Optional<String> password, Duration timeout) {
        RespClient client = connect(port, timeout);
        if (password.isEmpty()) {
            return client;
        }
        try {
            client.call("AUTH", password.get());
            return client;
        } catch (IllegalStateException e) {
            if (noPasswordSet(e.getMessage())) {
                return client;
            }
            client.close();
            throw e;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Sends one command on a fresh connection and returns its reply. */
    public static Object once(int port, Duration timeout, String... command) {
        return once(port, Optional.empty(), timeout, command);
    }

    /** As {@link #once(int, Duration, String...)}, authenticated with {@code password} if there is one. */
    public static Object once(int port, Optional<String> password, Duration timeout, String... command) {
        try (RespClient client = connect(port, password, timeout)) {
            return client.call(command);
        }
    }

    /** Redis 6 and later, then Redis 5 and earlier, answering {@code AUTH} when no password is set. */
    private static boolean noPasswordSet(String error) {
        String message = String.valueOf(error);
        return message.contains("without any password configured") || message.contains("no password is set");
    }

    /** Sends one command and reads its reply. */
    public Object call(String... command) {
        try {
            StringBuilder request =
                    new StringBuilder("*").append(command.length).append("\r\n");
            for (String arg : command) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$')
                        .append(bytes.length)
                        .append("\r\n")
                        .append(arg)
                        .append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException("redis at 127.0.0.1:" + socket.getPort() + ": " + e.getMessage(), e);
        }
    }

    /** The value of {@code key} in an {@code INFO} (or {@code CLUSTER INFO}) reply, or empty. */
    public static Optional<String> infoField(Object info, String key) {
        return String.valueOf(info)
                .lines()
                .filter(line -> line.startsWith(key + ":"))
                .map(line -> line.substring(key.length() + 1).strip())
                .findFirst();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException(line);
            case ':':
                return Long.parseLong(line);
            case '$':
                return bulk(Integer.parseInt(line));
            case '*':
                return array(Integer.parseInt(line));
            default:
                throw new IOException("unexpected RESP type " + type + " with " + line);
        }
    }

    private String bulk(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] bytes = in.readNBytes(length + 2);
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private List<Object> array(int size) throws IOException {
        if (size < 0) {
            return null;
        }
        List<Object> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(read());
        }
        return items;
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is gone either way
        }
    }
}
