package dev.kbsync.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real {@code redis-server} process on 127.0.0.1, without persistence. It can be killed, paused and restarted
 * on the same port, which is what fault tests need. {@link #close()} is safe to call twice.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisProcess.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path binary;
    private final Path dir;
    private final int port;
    private final List<String> configFile;
    private final List<String> extraArgs;
    private Process process;

    private RedisProcess(Path binary, Path dir, int port, List<String> configFile, List<String> extraArgs) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.configFile = List.copyOf(configFile);
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a plain Redis on a free port, working files in {@code dir}. */
    public static RedisProcess start(Path dir) {
        return start(dir, freePort(), List.of());
    }

    /** Starts Redis on {@code port} with extra command-line arguments (e.g. {@code --replicaof}). */
    public static RedisProcess start(Path dir, int port, List<String> extraArgs) {
        return launched(new RedisProcess(RedisBinary.locate(), dir, port, List.of(), extraArgs));
    }

    /** Starts a Sentinel on {@code port} from {@code config}, an absolute, writable file that Sentinel rewrites. */
    public static RedisProcess startSentinel(Path dir, int port, Path config) {
        return launched(
                new RedisProcess(RedisBinary.locate(), dir, port, List.of(config.toString()), List.of("--sentinel")));
    }

    private static RedisProcess launched(RedisProcess redis) {
        redis.launch();
        return redis;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown, as a crash. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }

    /** SIGSTOP: the process stays, answers nothing. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
    }

    /** Kills if alive, then starts again on the same port (data is gone: no persistence). */
    public void restart() {
        kill();
        launch();
    }

    @Override
    public void close() {
        kill();
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(configFile);
        command.addAll(List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--protected-mode",
                "no"));
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + binary, e);
        }
        awaitPort();
        log.info("redis-server {} started on port {} (pid {})", binary, port, process.pid());
    }

    private void awaitPort() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start; see " + dir + "/redis-" + port + ".log");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        kill();
        throw new IllegalStateException("redis-server did not open port " + port + " within " + START_TIMEOUT);
    }

    private void signal(String name) {
        try {
            int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .start()
                    .waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** A TCP port that was free a moment ago on 127.0.0.1. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
