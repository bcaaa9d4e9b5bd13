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
        Duration agentTimeout = duration(text(source, WorkerConfigKey.AGENT_TIMEOUT));
        return new WorkerConfig(
                URI.create(text(source, WorkerConfigKey.COORDINATOR_URL)),
                text(source, WorkerConfigKey.COORDINATOR_TOKEN),
                source.get(WorkerConfigKey.WORKER_ID.key()).orElseGet(WorkerConfigLoader::defaultWorkerId),
                Path.of(text(source, WorkerConfigKey.CACHE_DIR)),
                integer(source, WorkerConfigKey.CONCURRENCY),
                source.get(WorkerConfigKey.AGENT_COMMAND.key()).map(c -> AgentCommand.parse(c, agentTimeout)),
                source.get(WorkerConfigKey.NOTE_AGENT_COMMAND.key()).map(c -> AgentCommand.parse(c, agentTimeout)),
                integer(source, WorkerConfigKey.PUSH_RETRIES),
                FallbackMode.parse(text(source, WorkerConfigKey.FALLBACK)),
                text(source, WorkerConfigKey.HTTP_HOST),
                integer(source, WorkerConfigKey.HTTP_PORT),
                text(source, WorkerConfigKey.AUTHOR_EMAIL_DOMAIN),
                duration(text(source, WorkerConfigKey.POLL_WAIT)),
                duration(text(source, WorkerConfigKey.SHUTDOWN_GRACE)),
                integer(source, WorkerConfigKey.MAINTAIN_EVERY),
                integer(source, WorkerConfigKey.BATCH_MAX));
    }

    private static String text(ConfigSource source, WorkerConfigKey key) {
        return source.get(key.key()).orElse(key.defaultValue());
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

    private static int integer(ConfigSource source, WorkerConfigKey key) {
        String value = text(source, key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key.key() + " (" + key.env() + ") must be an integer, got '" + value + "'", e);
        }
    }
}
