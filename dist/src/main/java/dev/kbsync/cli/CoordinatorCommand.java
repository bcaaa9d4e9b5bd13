package dev.kbsync.cli;

import dev.kbsync.cli.stack.StartFailure;
import dev.kbsync.config.Check;
import dev.kbsync.coordinator.CoordinatorMain;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kbsync coordinator [--config file.yaml]}: the production coordinator process. */
@Command(
        name = "coordinator",
        mixinStandardHelpOptions = true,
        header = "Run a coordinator (settings: --config YAML and KBSYNC_* variables).",
        description = {
            "Run a coordinator. Settings come from the YAML file and KBSYNC_* environment variables",
            "(environment wins); every key is listed in docs/configuration.md."
        })
final class CoordinatorCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML configuration file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        CoordinatorConfig settings = CoordinatorMain.loadOrExit(
                config == null ? new String[0] : new String[] {"--config", config.toString()});
        StartFailure.Advice advice = advice(settings);
        StartFailure.portFree(advice); // before it connects to Redis, or moves a journal into it
        StartFailure.expect(() -> CoordinatorMain.start(settings), advice);
        Thread.currentThread().join();
        return ExitCodes.OK;
    }

    /** A taken port, a host not of this machine or a silent Redis, in the configuration's words. */
    private static StartFailure.Advice advice(CoordinatorConfig settings) {
        CoordinatorConfig.Redis redis = settings.redis();
        return new StartFailure.Advice(
                settings.http().host(),
                settings.http().port(),
                "another coordinator?",
                "set http.port (KBSYNC_HTTP_PORT) to a free one",
                "set http.host (KBSYNC_HTTP_HOST) to one of its addresses, or 0.0.0.0 for all of them",
                redis.configFile()
                        .map(file -> "redis.configFile " + file)
                        .orElseGet(() -> Check.masked(redis.address())),
                "check redis.address (KBSYNC_REDIS_ADDRESS) or redis.configFile");
    }
}
