package dev.kbsync.coordinator.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A git remote on loopback that accepts connections and never answers (a hung host): a fetch from it hangs. */
final class SilentRemote implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    SilentRemote() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(socket.accept()); // read nothing, answer nothing
                }
            } catch (IOException closed) {
                // closed: the test is over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The remote URL of {@code kb} here. */
    String url(String kb) {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/" + kb + ".git";
    }

    /** The connections it holds open now. */
    int connections() {
        return held.size();
    }

    /** Closes the connections it holds: the fetches hanging on them fail at once. */
    void dropConnections() throws IOException {
        for (Socket connection : held) {
            connection.close();
        }
    }

    @Override
    public void close() throws IOException {
        dropConnections();
        socket.close();
    }
}
