package dev.kbsync.cli;

import dev.kbsync.cli.stack.StartFailure;
import dev.kbsync.worker.process.WorkerConfig;
import dev.kbsync.worker.process.WorkerMain;
import dev.kbsync.worker.run.PhaseListener;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kbsync worker [--config file.yaml]}: the production worker process. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        header = "Run a worker (settings: --config YAML and KBSYNC_* variables).",
        description = {
            "Run a worker. Settings come from the YAML file (or KBSYNC_CONFIG) and KBSYNC_* environment",
            "variables (environment wins); every key is listed in docs/worker-configuration.md."
        })
final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML configuration file (same as KBSYNC_CONFIG).")
    Path config;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (config != null) {
            env.put("KBSYNC_CONFIG", config.toString());
        }
        WorkerConfig settings = WorkerMain.loadOrExit(env);
        StartFailure.Advice advice = new StartFailure.Advice(
                settings.httpHost(),
                settings.httpPort(),
                "another worker?",
                "set worker.http.port (KBSYNC_WORKER_HTTP_PORT) to a free one, or 0",
                "set worker.http.host (KBSYNC_WORKER_HTTP_HOST) to one of its addresses, or 0.0.0.0 for all of them",
                null,
                null);
        StartFailure.portFree(advice); // before its slots poll (they could take a job) or its cache is made
        StartFailure.expect(() -> WorkerMain.run(settings, env, PhaseListener.NONE), advice);
        return ExitCodes.OK;
    }
}
