package dev.kbsync.cli.stack;

import dev.kbsync.redis.Fsync;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code kbsync up} runs: data under {@code dataDir}; {@code redisUri} empty = start an embedded Redis, which
 * fsyncs its append-only file per {@code redisFsync}; the coordinator on 127.0.0.1:{@code port} (0 = any free port);
 * {@code workers} in-process workers.
 */
public record StackOptions(Path dataDir, Optional<String> redisUri, Fsync redisFsync, int port, int workers) {
    public StackOptions {
        Objects.requireNonNull(redisFsync, "redisFsync");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0-65535, got " + port);
        }
        if (workers < 1 || workers > 16) {
            throw new IllegalArgumentException("--workers must be 1-16, got " + workers);
        }
        redisUri.ifPresent(uri -> {
            if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
                throw new IllegalArgumentException("--redis must be a redis:// or rediss:// URI, got " + uri);
            }
        });
    }
}
