package dev.kbsync.coordinator;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.stop.StopOutcome;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The production process: {@code java ... CoordinatorMain [--config file.yaml]}; environment overrides the file. */
public final class CoordinatorMain {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorMain.class);

    private CoordinatorMain() {}

    public static void main(String[] args) {
        CoordinatorConfig config = loadOrExit(args);
        try {
            start(config);
        } catch (Exception e) {
            log.error("coordinator did not start", e);
            System.exit(1);
        }
    }

    /** Starts a coordinator that stops when the JVM exits; a failed start is thrown (its Vert.x closed). */
    public static void start(CoordinatorConfig config) throws Exception {
        ProcessMetrics metrics = new ProcessMetrics();
        Vertx vertx = metrics.vertx();
        Coordinator coordinator;
        try {
            coordinator = Coordinator.start(vertx, config, metrics).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
        Duration bound = config.shutdown().timeout();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(coordinator, vertx, bound), "kbsync-shutdown"));
    }

    /** The configuration of {@code [--config file.yaml]} and the environment; a bad one exits 2 with one line. */
    public static CoordinatorConfig loadOrExit(String[] args) {
        try {
            return CoordinatorConfig.load(configFile(args), System.getenv());
        } catch (IllegalArgumentException e) { // a ConfigException, or a bad argument
            System.err.println("error: kbsync coordinator: bad configuration: " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    /**
     * Stops the coordinator, then Vert.x, within {@code bound}; past it the JVM halts with {@link
     * StopOutcome#EXIT_PAST_BOUND} (a shutdown hook cannot call {@code System.exit}), else it exits as the signal has it.
     */
    private static void stop(Coordinator coordinator, Vertx vertx, Duration bound) {
        if (BoundedStop.stop(coordinator, vertx, bound) instanceof StopOutcome.PastBound) {
            Runtime.getRuntime().halt(StopOutcome.EXIT_PAST_BOUND);
        }
    }

    static Optional<Path> configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith("--config=")) {
                return Optional.of(Path.of(args[i].substring("--config=".length())));
            }
        }
        if (args.length > 0) {
            throw new IllegalArgumentException("usage: CoordinatorMain [--config file.yaml]");
        }
        return Optional.empty();
    }
}
