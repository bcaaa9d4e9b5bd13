package dev.kbsync.worker.process;

import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.fallback.FallbackMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Worker settings, validated. The token never appears in {@link #toString()}. {@code agent} and {@code noteAgent} are
 * chosen by the operator; an empty agent makes agent jobs fail with {@code AGENT_NOT_CONFIGURED}.
 */
public record WorkerConfig(
        URI coordinatorUrl,
        String token,
        String workerId,
        Path cacheDir,
        int concurrency,
        Optional<AgentCommand> agent,
        Optional<AgentCommand> noteAgent,
        int pushRetries,
        FallbackMode fallback,
        String httpHost,
        int httpPort,
        String emailDomain,
        Duration pollWait,
        Duration shutdownGrace,
        int maintainEvery,
        int batchMax) {

    public WorkerConfig {
        Objects.requireNonNull(coordinatorUrl, "coordinator url");
        if (!"http".equals(coordinatorUrl.getScheme()) && !"https".equals(coordinatorUrl.getScheme())) {
            throw new IllegalArgumentException("coordinator url must be http(s), got " + coordinatorUrl);
        }
        token = token == null ? "" : token;
        if (workerId == null || !workerId.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("worker id must match [A-Za-z0-9._-]{1,100}, got " + workerId);
        }
        Objects.requireNonNull(cacheDir, "cache dir");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(noteAgent, "noteAgent");
        Objects.requireNonNull(fallback, "fallback");
        range("concurrency", concurrency, 1, 64);
        range("push retries", pushRetries, 0, 100);
        range("http port", httpPort, 0, 65535);
        range("maintain every", maintainEvery, 1, 1_000_000);
        range("batch max", batchMax, 1, 64);
        positive("poll wait", pollWait);
        positive("shutdown grace", shutdownGrace);
    }

    @Override
    public String toString() {
        return "WorkerConfig[coordinator=" + coordinatorUrl + ", token=" + (token.isEmpty() ? "<none>" : "***")
                + ", workerId=" + workerId + ", cacheDir=" + cacheDir + ", concurrency=" + concurrency
                + ", agent=" + agent.map(a -> a.argv().get(0)).orElse("<none>") + ", pushRetries=" + pushRetries
                + ", fallback=" + fallback + ", http=" + httpHost + ":" + httpPort + ", batchMax=" + batchMax + "]";
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }
}
