package dev.kbsync.cli;

import dev.kbsync.cli.doctor.Check;
import dev.kbsync.cli.doctor.Doctor;
import dev.kbsync.cli.log.LogFlags;
import dev.kbsync.cli.log.LogSetup;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.worker.process.WorkerConfig;
import dev.kbsync.worker.process.WorkerConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kbsync doctor}: checks a deployment the way an operator would by hand; exits 1 when a check fails. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = "Check what kbsync needs: Redis (reachable, version, maxmemory-policy, persistence,"
                + " replicas, Sentinel), the clock against Redis, the coordinator's /readyz, each KB's remote and"
                + " branch with the worker's credentials (read-only), the agent commands and the cache dir's disk"
                + " space. One pass/warn/fail line each; exit code 1 when a check fails. Settings as the processes"
                + " read them: the YAML files under the KBSYNC_* environment.")
final class DoctorCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            description = "The coordinator's YAML: its Redis and KBs are checked (else KBSYNC_* and the defaults).")
    Path config;

    @Option(
            names = "--worker-config",
            description = "The worker's YAML (coordinator URL and token, agent, cache dir); else KBSYNC_CONFIG.")
    Path workerConfig;

    @Option(
            names = "--timeout",
            description = "Seconds each network check may take (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int timeoutSeconds;

    @Mixin
    LogFlags logs;

    @Override
    public Integer call() {
        LogSetup.quiet(logs);
        if (timeoutSeconds < 1 || timeoutSeconds > 300) {
            System.err.println("error: --timeout must be 1-300 seconds, got " + timeoutSeconds);
            return ExitCodes.USAGE;
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        if (workerConfig != null) {
            env.put(WorkerConfigLoader.FILE_VARIABLE, workerConfig.toString());
        }
        CoordinatorConfig.RedisAndKbs coordinator;
        WorkerConfig worker;
        try {
            coordinator = CoordinatorConfig.loadRedisAndKbs(Optional.ofNullable(config), env);
            worker = WorkerConfigLoader.load(env);
        } catch (IllegalArgumentException e) { // a ConfigException: the key and what is wrong with it
            System.err.println("error: bad configuration: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        List<Check> checks = new Doctor(Duration.ofSeconds(timeoutSeconds)).run(coordinator, worker, env);
        checks.forEach(check -> System.out.println(check.line()));
        Map<Check.Status, Integer> counts = new EnumMap<>(Check.Status.class);
        checks.forEach(check -> counts.merge(check.status(), 1, Integer::sum));
        System.out.println();
        System.out.println("doctor: " + counts.getOrDefault(Check.Status.PASS, 0) + " pass, "
                + counts.getOrDefault(Check.Status.WARN, 0) + " warn, "
                + counts.getOrDefault(Check.Status.FAIL, 0) + " fail, "
                + counts.getOrDefault(Check.Status.SKIP, 0) + " skip");
        return counts.containsKey(Check.Status.FAIL) ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
