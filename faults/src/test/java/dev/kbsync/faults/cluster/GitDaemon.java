package dev.kbsync.faults.cluster;

import dev.kbsync.faults.client.Pause;
import dev.kbsync.redis.RedisProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code git daemon} serving the bare remotes under a directory over {@code git://127.0.0.1:<port>/}, pushes
 * included: unlike a {@code file://} push, which JGit applies in-process, a push to it runs the real
 * {@code git-receive-pack} and so the remote's {@code pre-receive} hook.
 */
final class GitDaemon implements AutoCloseable {
    private final Process process;
    private final int port;

    private GitDaemon(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static GitDaemon start(Path base, Path log) {
        int port = RedisProcess.freePort();
        try {
            Process process = new ProcessBuilder(
                            "git",
                            "daemon",
                            "--reuseaddr",
                            "--export-all",
                            "--enable=receive-pack",
                            "--base-path=" + base,
                            "--listen=127.0.0.1",
                            "--port=" + port,
                            base.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            GitDaemon daemon = new GitDaemon(process, port);
            daemon.awaitListening();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of the bare repository {@code name} under the base directory. */
    String url(String name) {
        return "git://127.0.0.1:" + port + "/" + name;
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Pause.millis(50);
            }
        }
        close();
        throw new IllegalStateException("git daemon did not listen on " + port);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
