package dev.kbsync.worker.process;

import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.fallback.FallbackMode;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Builds a {@link WorkerConfig} from the environment and the optional YAML file named by {@code KBSYNC_CONFIG}. */
public final class WorkerConfigLoader {
    private WorkerConfigLoader() {}

    public static WorkerConfig load(Map<String, String> env) {
        ConfigSource source = ConfigSource.of(env);
        Duration agentTimeout =
                source.get("agent.timeout").map(WorkerConfigLoader::duration).orElse(AgentCommand.DEFAULT_TIMEOUT);
        return new WorkerConfig(
                URI.create(source.get("coordinator.url").orElse("http://127.0.0.1:8080")),
                source.get("coordinator.token").orElse(""),
                source.get("worker.id").orElseGet(WorkerConfigLoader::defaultWorkerId),
                Path.of(source.get("cache.dir").orElse(".kbsync/checkouts")),
                integer(source, "concurrency", 2),
                source.get("agent.command").map(c -> AgentCommand.parse(c, agentTimeout)),
                source.get("note.agent.command").map(c -> AgentCommand.parse(c, agentTimeout)),
                integer(source, "push.retries", 5),
                FallbackMode.parse(source.get("fallback").orElse("local")),
                source.get("http.host").orElse("127.0.0.1"),
                integer(source, "http.port", 9090),
                source.get("author.email.domain").orElse("users.kbsync"),
                source.get("poll.wait").map(WorkerConfigLoader::duration).orElse(Duration.ofSeconds(20)),
                source.get("shutdown.grace").map(WorkerConfigLoader::duration).orElse(Duration.ofSeconds(60)),
                integer(source, "maintain.every", 50),
                integer(source, "batch.max", 16));
    }

    /** {@code <hostname>-<pid>}. */
    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "worker";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-") + "-"
                + ProcessHandle.current().pid();
    }

    /** {@code 30s}, {@code 500ms}, {@code 10m}, a bare number of seconds, or ISO-8601 ({@code PT30S}). */
    static Duration duration(String text) {
        String value = text.strip();
        try {
            if (value.startsWith("P") || value.startsWith("p")) {
                return Duration.parse(value);
            }
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.ofSeconds(
                    Long.parseLong(value.endsWith("s") ? value.substring(0, value.length() - 1) : value));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use 30s, 500ms, 10m or PT30S)", e);
        }
    }

    private static int integer(ConfigSource source, String key, int fallback) {
        return source.get(key)
                .map(v -> {
                    try {
                        return Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                key + " (" + ConfigSource.envName(key) + ") must be an integer, got '" + v + "'", e);
                    }
                })
                .orElse(fallback);
    }
}
