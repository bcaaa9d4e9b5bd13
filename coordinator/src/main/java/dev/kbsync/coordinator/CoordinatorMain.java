package dev.kbsync.coordinator;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The production process: {@code java ... CoordinatorMain [--config file.yaml]}; environment overrides the file. */
public final class CoordinatorMain {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorMain.class);

    private CoordinatorMain() {}

    public static void main(String[] args) {
        CoordinatorConfig config = loadOrExit(args);
        ProcessMetrics metrics = new ProcessMetrics();
        Vertx vertx = metrics.vertx();
        Coordinator coordinator;
        try {
            coordinator = Coordinator.start(vertx, config, metrics).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.error("coordinator did not start", e);
            vertx.close();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(coordinator, vertx), "kbsync-shutdown"));
    }

    private static CoordinatorConfig loadOrExit(String[] args) {
        try {
            return CoordinatorConfig.load(configFile(args), System.getenv());
        } catch (IllegalArgumentException e) { // a ConfigException, or a bad argument
            System.err.println("kbsync coordinator: bad configuration: " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    private static void stop(Coordinator coordinator, Vertx vertx) {
        log.info("shutting down");
        try {
            coordinator.stop().eventually(vertx::close).await(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("shutdown did not finish within 30 s");
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
