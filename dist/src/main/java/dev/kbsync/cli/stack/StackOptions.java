package dev.kbsync.cli.stack;

import dev.kbsync.config.Check;
import dev.kbsync.redis.Fsync;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code kbsync up} runs: data under {@code dataDir}; {@code redisUri} empty = start an embedded Redis, which
 * fsyncs its append-only file per {@code redisFsync}; the coordinator on 127.0.0.1:{@code port} (0 = any free port);
 * {@code workers} in-process workers, which run agent tasks with {@code agentCommand} (the worker's {@code
 * agent.command}: an argv, whitespace-separated; empty: they take notes only, and agent tasks are refused).
 */
public record StackOptions(
        Path dataDir,
        Optional<String> redisUri,
        Fsync redisFsync,
        int port,
        int workers,
        Optional<String> agentCommand) {
    public StackOptions(Path dataDir, Optional<String> redisUri, Fsync redisFsync, int port, int workers) {
        this(dataDir, redisUri, redisFsync, port, workers, Optional.empty());
    }

    public StackOptions {
        Objects.requireNonNull(agentCommand, "agentCommand");
        agentCommand = agentCommand.filter(c -> !c.isBlank());
        Objects.requireNonNull(redisFsync, "redisFsync");
        if (dataDir.toString().isBlank()) { // not the current directory: it would fill it with the stack's files
            throw new IllegalArgumentException("--data-dir must name a directory, got an empty value");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0-65535, got " + port);
        }
        if (workers < 1 || workers > 16) {
            throw new IllegalArgumentException("--workers must be 1-16, got " + workers);
        }
        redisUri.ifPresent(StackOptions::checkRedis);
    }

    /** A redis:// or rediss:// URI with a host and, if any, a port of 1-65535; its password masked when refused. */
    private static void checkRedis(String uri) {
        String shown = Check.masked(uri);
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new IllegalArgumentException("--redis must be a redis:// or rediss:// URI, got " + shown);
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--redis is not a valid URI: " + shown);
        }
        if (parsed.getHost() == null || parsed.getPort() == 0 || parsed.getPort() > 65535) {
            throw new IllegalArgumentException(
                    "--redis must name a host and, if any, a port of 1-65535 (redis://host:6379), got " + shown);
        }
    }

    /** The same stack with its data in {@code dir}. */
    public StackOptions withDataDir(Path dir) {
        return new StackOptions(dir, redisUri, redisFsync, port, workers, agentCommand);
    }

    /** The same stack whose workers run agent tasks with {@code command}. */
    public StackOptions withAgentCommand(String command) {
        return new StackOptions(dataDir, redisUri, redisFsync, port, workers, Optional.of(command));
    }
}
