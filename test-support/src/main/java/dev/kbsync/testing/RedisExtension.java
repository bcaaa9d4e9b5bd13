package dev.kbsync.testing;

import dev.kbsync.redis.RedisProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private, real {@code redis-server} for one test class, on a free port, without persistence, killed after the
 * class. Use as {@code @RegisterExtension static final RedisExtension redis = new RedisExtension();}.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback {
    private RedisProcess process;
    private Path dir;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("kbsync-redis-test");
        process = RedisProcess.start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (process != null) {
            process.close();
        }
        TempDirs.deleteQuietly(dir);
    }

    /** The running process: kill, pause, resume, restart it in fault tests. */
    public RedisProcess process() {
        if (process == null) {
            throw new IllegalStateException("RedisExtension must be registered as a static field");
        }
        return process;
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
