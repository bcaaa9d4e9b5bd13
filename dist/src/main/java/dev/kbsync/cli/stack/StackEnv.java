package dev.kbsync.cli.stack;

import dev.kbsync.coordinator.config.ConfigKey;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.worker.process.WorkerConfig;
import dev.kbsync.worker.process.WorkerConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of the embedded stack's coordinator and workers: its own, plus what a standalone coordinator or worker
 * would take from the environment ({@code KBSYNC_SHUTDOWN_TIMEOUT_SECONDS} and {@code KBSYNC_REDIS_ALLOW_EVICTION},
 * the workers' {@code KBSYNC_SHUTDOWN_GRACE}). {@link #check} reads them all before anything starts.
 */
final class StackEnv {
    static final String DEMO_KB = "demo";
    /** The in-process workers' {@code shutdown.grace}, taken from the environment as the standalone worker does. */
    private static final String SHUTDOWN_GRACE = "KBSYNC_SHUTDOWN_GRACE";

    private static final List<ConfigKey> COORDINATOR_KEYS =
            List.of(ConfigKey.SHUTDOWN_TIMEOUT_SECONDS, ConfigKey.REDIS_ALLOW_EVICTION);

    private StackEnv() {}

    /** The coordinator's and the workers' settings as the stack in {@code data} will read them, read now. */
    record Checked(CoordinatorConfig coordinator, WorkerConfig worker) {}

    /**
     * Reads the settings before anything starts or is written: a bad value in the environment is a {@code
     * ConfigException} (exit 2) while nothing has changed, not after Redis started. Stand-ins take the place of what
     * the start makes (the Redis, the coordinator's address, the demo remote and the checkouts): the data directory
     * may not exist yet, and is checked as such later. The checkouts' stand-in (a worker checks that it could write
     * there) is a fresh, empty directory of this check's own in the system's temporary directory, removed at once: a
     * fixed name there could be a file or another user's directory, which refused the start naming {@code cache.dir}.
     */
    static Checked check(StackOptions options) {
        Path standIn;
        try {
            standIn = Files.createTempDirectory("kbsync-stand-in-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory to check the settings in", e);
        }
        try {
            CoordinatorConfig coordinator = CoordinatorConfig.load(
                    Optional.empty(),
                    coordinator(
                            options,
                            options.redisUri().orElse("redis://127.0.0.1:6379"),
                            standIn.resolve("remotes/demo.git")));
            return new Checked(coordinator, worker(options, standIn, 1, URI.create("http://127.0.0.1:8080")));
        } finally {
            DataDir.delete(standIn);
        }
    }

    /** The coordinator's settings: on 127.0.0.1:{@code port}, auth off, the demo KB at {@code demoRemote}. */
    static Map<String, String> coordinator(StackOptions options, String redisUri, Path demoRemote) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KBSYNC_HTTP_HOST",
                "127.0.0.1",
                "KBSYNC_HTTP_PORT",
                Integer.toString(options.port()),
                "KBSYNC_REDIS_ADDRESS",
                redisUri,
                "KBSYNC_AUTH_ENABLED",
                "false",
                "KBSYNC_METRICS_PUBLIC",
                "true",
                "KBSYNC_KBS",
                DEMO_KB + "=" + demoRemote + "#main"));
        for (ConfigKey key : COORDINATOR_KEYS) {
            Optional.ofNullable(System.getenv(key.env())).ifPresent(value -> env.put(key.env(), value));
        }
        return env;
    }

    /** Worker {@code i}'s settings, with its coordinator at {@code coordinator}. */
    static WorkerConfig worker(StackOptions options, Path data, int i, URI coordinator) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KBSYNC_COORDINATOR_URL",
                coordinator.toString(),
                "KBSYNC_WORKER_ID",
                "up-worker-" + i,
                "KBSYNC_CACHE_DIR",
                data.resolve("checkouts/worker-" + i).toString(),
                "KBSYNC_WORKER_HTTP_PORT",
                "0",
                "KBSYNC_POLL_WAIT",
                "2s"));
        options.agentCommand().ifPresent(command -> env.put("KBSYNC_AGENT_COMMAND", command));
        Optional.ofNullable(System.getenv(SHUTDOWN_GRACE)).ifPresent(grace -> env.put(SHUTDOWN_GRACE, grace));
        WorkerConfig config = WorkerConfigLoader.load(env);
        if (config.stopWarning().isPresent()) { // a short grace: the poll fits its drain, no WARN
            env.put("KBSYNC_POLL_WAIT", config.drain().toMillis() + "ms");
            config = WorkerConfigLoader.load(env);
        }
        return config;
    }
}
