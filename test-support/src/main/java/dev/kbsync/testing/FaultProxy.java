package dev.kbsync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of one server (e.g. a Redis) that a test can make misbehave at a precise point:
 * {@link #holdResponses()} keeps every server-to-client byte until {@link #releaseResponses()} (the server has run
 * the commands, the client does not know yet); {@link #freezeAfter(String)} lets the first client-to-server chunk
 * that contains a marker through and then stops all traffic for good (a client that died right after sending it).
 * {@link #dropChunksWith(String)} never forwards a client chunk that contains a marker (a request the server does
 * not hear: an older server, or one the request did not reach). Everything else passes unchanged. {@link #recordCommands()} keeps every command the client sends (to count a
 * step's round trips). {@link #close()} closes every connection.
 */
public final class FaultProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean holding;
    private volatile byte[] marker;
    private volatile byte[] holdMarker;
    private volatile byte[] dropMarker;
    private volatile byte[] dropDownMarker;
    private volatile boolean frozen;
    private volatile boolean recording;
    private volatile long refusingUntil = System.nanoTime();
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();

    private FaultProxy(int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        daemon("fault-proxy-accept", this::accept);
    }

    /** A proxy to {@code 127.0.0.1:targetPort}. */
    public static FaultProxy to(int targetPort) {
        try {
            return new FaultProxy(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code redis://127.0.0.1:<port>} of the proxy. */
    public String uri() {
        return "redis://127.0.0.1:" + port();
    }

    /** From now on, bytes from the server wait in the proxy until {@link #releaseResponses()}. */
    public void holdResponses() {
        synchronized (gate) {
            holding = true;
        }
    }

    /**
     * Like {@link #holdResponses()}, starting right after the first client chunk that contains {@code text} reached the
     * server: the server runs that command, its answer (and every later one) waits.
     */
    public void holdResponsesAfter(String text) {
        holdMarker = text.getBytes(StandardCharsets.UTF_8);
    }

    public void releaseResponses() {
        synchronized (gate) {
            holdMarker = null;
            holding = false;
            gate.notifyAll();
        }
    }

    /** The first client chunk containing {@code text} still reaches the server; after it, nothing passes any more. */
    public void freezeAfter(String text) {
        marker = text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * From now on (and until {@link #commands()} is taken) keeps every command a client sends through the proxy, as its
     * arguments (each cut to 80 characters), in the order the server gets them.
     */
    public void recordCommands() {
        commands.clear();
        recording = true;
    }

    /** The commands recorded since {@link #recordCommands()}; stops recording. */
    public List<List<String>> commands() {
        recording = false;
        return List.copyOf(commands);
    }

    /**
     * From now on, every client chunk that contains {@code text} is dropped, never reaching the server (its request
     * gets no answer); other chunks and connections pass as before.
     */
    public void dropChunksWith(String text) {
        dropMarker = text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * From now on (until called with null), every server chunk that contains {@code text} is dropped, never reaching
     * the client: a pub/sub message lost on its way while the connection stays up (a whole message per chunk, as the
     * server writes one; a reply dropped this way leaves its request unanswered).
     */
    public void dropServerChunksWith(String text) {
        dropDownMarker = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** Stops all traffic now and for good: the client is cut off as if it had died. */
    public void freeze() {
        frozen = true;
    }

    /**
     * Closes every connection now, and for {@code outage} closes each new one as it comes: the client loses its
     * connections (a pub/sub subscription among them) and gets them back only after the outage.
     */
    public void cutFor(Duration outage) {
        refuseNewFor(outage);
        sockets.forEach(FaultProxy::closeQuietly);
        sockets.clear();
    }

    /**
     * For {@code outage}, closes each new connection as it comes; those open go on: a client that loses one connection
     * (its pub/sub subscription, killed by the server) gets it back only after the outage, its others serve meanwhile.
     */
    public void refuseNewFor(Duration outage) {
        refusingUntil = System.nanoTime() + outage.toNanos();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone anyway
        }
    }

    /** Whether {@link #freezeAfter} has triggered (or {@link #freeze()} was called). */
    public boolean frozen() {
        return frozen;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (System.nanoTime() - refusingUntil < 0) { // cut off for now
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                daemon("fault-proxy-up", () -> pipe(client, upstream, true));
                daemon("fault-proxy-down", () -> pipe(upstream, client, false));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean toServer) {
        byte[] buffer = new byte[64 * 1024];
        RespCommands sent = new RespCommands(command -> {
            if (recording) {
                commands.add(command);
            }
        });
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                byte[] chunk = Arrays.copyOf(buffer, n);
                if (!toServer) {
                    awaitRelease();
                }
                byte[] drop = toServer ? dropMarker : dropDownMarker;
                if (frozen || drop != null && contains(chunk, drop)) {
                    continue;
                }
                byte[] hold = holdMarker;
                if (toServer && hold != null && contains(chunk, hold)) {
                    holdMarker = null;
                    holdResponses(); // before the server can answer
                }
                if (toServer && recording) {
                    sent.accept(chunk);
                }
                out.write(chunk);
                out.flush();
                byte[] watch = marker;
                if (toServer && watch != null && contains(chunk, watch)) {
                    frozen = true;
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // a side closed, or the proxy did
        }
    }

    private void awaitRelease() throws InterruptedException {
        synchronized (gate) {
            while (holding) {
                gate.wait();
            }
        }
    }

    private static boolean contains(byte[] chunk, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= chunk.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (chunk[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        releaseResponses();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
