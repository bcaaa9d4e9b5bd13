package dev.kbsync.testing;

import dev.kbsync.redis.RedisProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Where the fixtures run {@code redis-server}: in Docker containers when an engine answers, else as local processes.
 * The system property {@value #PROPERTY} or the environment variable {@value #ENV} ({@code process}, {@code container}
 * or {@code auto}, the default) forces one. Every start logs one line that says which ran.
 */
enum RedisRuntime {
    PROCESS {
        @Override
        RedisServer launch(Path dir, int port, List<String> args) {
            return new ProcessServer(RedisProcess.start(dir, port, args));
        }

        @Override
        RedisServer launchSentinel(Path dir, int port, Path config) {
            return new ProcessServer(RedisProcess.startSentinel(dir, port, config));
        }
    },
    CONTAINER {
        @Override
        RedisServer launch(Path dir, int port, List<String> args) {
            return ContainerServer.start(dir, port, List.of(), args);
        }

        @Override
        RedisServer launchSentinel(Path dir, int port, Path config) {
            return ContainerServer.start(dir, port, List.of(config.toString()), List.of("--sentinel"));
        }
    };

    static final String PROPERTY = "kbsync.test.redis";
    static final String ENV = "KBSYNC_TEST_REDIS";

    private static final Logger log = LoggerFactory.getLogger(RedisRuntime.class);
    private static RedisRuntime selected;

    /** Starts Redis on {@code port} with working files in {@code dir} and extra arguments (e.g. {@code --replicaof}). */
    final RedisServer start(Path dir, int port, List<String> args) {
        return logged(launch(dir, port, args));
    }

    /** Starts a Sentinel on {@code port} from {@code config}, a writable file inside {@code dir}. */
    final RedisServer startSentinel(Path dir, int port, Path config) {
        return logged(launchSentinel(dir, port, config));
    }

    abstract RedisServer launch(Path dir, int port, List<String> args);

    abstract RedisServer launchSentinel(Path dir, int port, Path config);

    /** The runtime this JVM's fixtures use, chosen once. */
    static synchronized RedisRuntime current() {
        if (selected == null) {
            String setting = System.getProperty(PROPERTY, System.getenv(ENV));
            selected = select(setting, RedisRuntime::dockerAnswers);
            boolean auto = setting == null || setting.isBlank() || "auto".equalsIgnoreCase(setting.strip());
            String why = !auto
                    ? ENV + "=" + setting
                    : selected == CONTAINER ? "a Docker engine answers" : "no Docker engine answers";
            log.info("redis fixtures run as {} ({})", selected, why);
        }
        return selected;
    }

    static RedisRuntime select(String setting, BooleanSupplier dockerAnswers) {
        String value =
                setting == null || setting.isBlank() ? "auto" : setting.strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "process" -> PROCESS;
            case "container" -> CONTAINER;
            case "auto" -> dockerAnswers.getAsBoolean() ? CONTAINER : PROCESS;
            default ->
                throw new IllegalArgumentException(ENV + " must be process, container or auto, not '" + setting + "'");
        };
    }

    /** True when a Docker engine answers; without one, fixtures fall back to local processes. */
    static boolean dockerAnswers() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    private static RedisServer logged(RedisServer server) {
        log.info("redis fixture: {}", server);
        return server;
    }

    @Override
    public String toString() {
        return this == PROCESS ? "local processes" : "containers";
    }
}
