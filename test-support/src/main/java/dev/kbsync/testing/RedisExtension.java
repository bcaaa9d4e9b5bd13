package dev.kbsync.testing;

import dev.kbsync.redis.RedisProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private, real Redis for one test class, on a free port of 127.0.0.1, removed after the class (also when a test
 * failed). It runs in a container or as a local process, as {@link RedisRuntime} chooses. Use as
 * {@code @RegisterExtension static final RedisExtension redis = new RedisExtension();} for a Redis without
 * persistence (a restart loses every key), or {@link #appendOnly()} for one whose AOF survives a restart.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback {
    static final List<String> APPEND_ONLY = List.of("--appendonly", "yes");

    private final List<String> args;
    private RedisServer server;
    private Path dir;

    /** A Redis without persistence. */
    public RedisExtension() {
        this(List.of());
    }

    private RedisExtension(List<String> args) {
        this.args = args;
    }

    /**
     * A Redis with {@code appendonly yes} ({@code appendfsync everysec}): every acknowledged write is in the AOF (in
     * the OS's cache at least), so it survives {@code kill()} and {@code restart()}.
     */
    public static RedisExtension appendOnly() {
        return new RedisExtension(APPEND_ONLY);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("kbsync-redis-test");
        server = startOnAFreePort(dir, args, RedisProcess::freePort);
    }

    /**
     * Starts a Redis on a free port, again on another one (up to 3 times) when the port was taken between its choice
     * and the server's bind: another test JVM on the machine can take the same free port in that moment.
     */
    static RedisServer startOnAFreePort(Path dir, List<String> args, IntSupplier ports) {
        return onAFreePort(ports, port -> RedisRuntime.current().start(dir, port, args));
    }

    /**
     * Starts a server with {@code start} on a port from {@code ports}, again on the next one (up to 3 times) when the
     * port was taken between its choice and the server's bind (the server, or its container, says "Address already in
     * use"): a Sentinel group's or a cluster's servers as much as a single one.
     */
    static RedisServer onAFreePort(IntSupplier ports, IntFunction<RedisServer> start) {
        for (int attempt = 1; ; attempt++) {
            try {
                return start.apply(ports.getAsInt());
            } catch (IllegalStateException e) {
                if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
        TempDirs.deleteQuietly(dir);
    }

    /** The running server: kill, pause, resume, restart it in fault tests. */
    public RedisServer process() {
        if (server == null) {
            throw new IllegalStateException("RedisExtension must be registered as a static field");
        }
        return server;
    }

    public String uri() {
        return process().uri();
    }

    public int port() {
        return process().port();
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
