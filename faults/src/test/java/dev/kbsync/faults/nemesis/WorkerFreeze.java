package dev.kbsync.faults.nemesis;

import dev.kbsync.faults.cluster.Cluster;
import dev.kbsync.faults.cluster.WorkerNode;
import java.util.List;

/**
 * SIGSTOP of a worker while it holds a KB (trapped right after it committed, before its push, or after it pulled; at a
 * random point when the trap catches nothing within 3 s), for twice the lease TTL plus 1 s, then SIGCONT: its lease expired meanwhile and the job ran again elsewhere; its late
 * push must be refused or find the job already landed.
 */
public final class WorkerFreeze implements Nemesis {
    private static final List<String> PHASES = List.of("COMMITTED", "PULLED", "APPLIED");

    @Override
    public String name() {
        return "SIGSTOP of a worker holding a KB for 2x the lease TTL + 1 s, then SIGCONT";
    }

    @Override
    public void run(Stage stage) {
        while (!stage.stopping()) {
            once(stage);
            stage.sleep(stage.between(300, 1000));
        }
    }

    static void once(Stage stage) {
        List<WorkerNode> workers = stage.cluster().workers();
        WorkerNode victim = workers.get(stage.random().nextInt(workers.size()));
        String phase = PHASES.get(stage.random().nextInt(PHASES.size()));
        // not caught there within 3 s (a worker with no job of the run's KBs then): frozen wherever it is, as
        // WorkerKill does, so that every attempt injects a fault (two runs' traps never caught one: nothing tested)
        boolean caught = victim.trapAt(phase, 3000);
        victim.jvm().freeze();
        stage.fault("SIGSTOP " + victim.jvm().name() + " at " + (caught ? phase : "a random point"));
        try {
            dev.kbsync.faults.client.Pause.millis(Cluster.LEASE_TTL_SECONDS * 2000L + 1000);
        } finally {
            victim.jvm().thaw();
            stage.healed("SIGCONT " + victim.jvm().name());
        }
    }

    @Override
    public void heal(Stage stage) {
        stage.cluster().workers().forEach(w -> w.jvm().thaw());
    }
}
