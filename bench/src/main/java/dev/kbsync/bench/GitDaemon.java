package dev.kbsync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * C git's own server, {@code git daemon}, in its own process: serves the bare repositories under a directory over
 * git:// on loopback with push enabled. Each push runs C git's {@code receive-pack} (unpacking small pushes, then
 * {@code gc --auto} as a hosted remote does), so none of the remote's cost lands in the bench's JVM.
 */
final class GitDaemon implements AutoCloseable {
    private final Process process;
    private final int port;

    GitDaemon(Path root) throws IOException, InterruptedException {
        port = freePort();
        process = new ProcessBuilder(List.of(
                        "git",
                        "daemon",
                        "--reuseaddr",
                        "--listen=127.0.0.1",
                        "--port=" + port,
                        "--base-path=" + root,
                        "--export-all",
                        "--enable=receive-pack",
                        "--informative-errors",
                        root.toString()))
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("git-daemon.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answers(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IOException("git daemon did not listen on 127.0.0.1:" + port + " (see git-daemon.log)");
            }
            Thread.sleep(50);
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
