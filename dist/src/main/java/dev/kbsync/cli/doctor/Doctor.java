package dev.kbsync.cli.doctor;

import dev.kbsync.api.KbConfig;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.process.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every check once, in the order an operator would: Redis (as the coordinator's configuration names it), the
 * clock, the coordinator (as the worker's configuration reaches it), where the generic git token may go, each KB's
 * remote (the configured KBs and the ones the coordinator lists), the agents, the cache disk, the worker's stop bound.
 */
public final class Doctor {
    private final Duration timeout;

    public Doctor(Duration timeout) {
        this.timeout = timeout;
    }

    public List<Check> run(CoordinatorConfig.RedisAndKbs coordinator, WorkerConfig worker, Map<String, String> env) {
        List<Check> checks = new ArrayList<>(new RedisChecks(timeout).run(coordinator.redis()));
        CoordinatorCheck.Result ready = CoordinatorCheck.run(worker, timeout);
        checks.add(ready.check());
        Map<String, KbConfig> kbs = new LinkedHashMap<>();
        coordinator.kbs().forEach(kb -> kbs.put(kb.id().value(), kb));
        ready.kbs().ifPresent(listed -> listed.forEach(kb -> kbs.put(kb.id().value(), kb)));
        if (kbs.isEmpty()) {
            checks.add(Check.skip("kb remotes", "no KB configured (kbs) or listed by the coordinator"));
        }
        CredentialResolver credentials = new CredentialResolver(worker.credentials(), env, java.time.Clock.systemUTC());
        checks.add(GitTokenCheck.run(worker.credentials().gitTokenHosts(), credentials));
        kbs.values().forEach(kb -> checks.add(RemoteCheck.run(kb, credentials, timeout)));
        checks.add(HostChecks.agent("agent command", "agent.command", worker.agent(), env));
        checks.add(HostChecks.agent("note agent command", "note.agent.command", worker.noteAgent(), env));
        checks.add(HostChecks.cacheDisk(worker));
        checks.add(StopCheck.run(worker));
        return checks;
    }
}
