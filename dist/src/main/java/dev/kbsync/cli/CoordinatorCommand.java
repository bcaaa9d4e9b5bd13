package dev.kbsync.cli;

import dev.kbsync.coordinator.CoordinatorMain;
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
    public Integer call() throws InterruptedException {
        CoordinatorMain.main(config == null ? new String[0] : new String[] {"--config", config.toString()});
        Thread.currentThread().join();
        return ExitCodes.OK;
    }
}
