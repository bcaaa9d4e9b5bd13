package dev.kbsync.faults.nemesis;

import dev.kbsync.faults.cluster.WorkerNode;
import java.util.List;

/**
 * kill -9 of a worker at a random phase of a job: idle (waiting for work), or trapped right after it pulled, applied,
 * committed, pushed or reported; then the worker starts again on the same cache dir (the checkout the crash left).
 */
public final class WorkerKill implements Nemesis {
    static final List<String> PHASES = List.of("IDLE", "PULLED", "APPLIED", "COMMITTED", "PUSHED", "REPORTED");

    @Override
    public String name() {
        return "kill -9 of a worker (idle, pulled, applied, committed, pushed, reported), restarted";
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
        boolean caught = phase.equals("IDLE") || victim.trapAt(phase, 3000);
        victim.jvm().kill();
        stage.fault("kill -9 " + victim.jvm().name() + " at " + (caught ? phase : "a random point"));
        stage.sleep(300);
        victim.jvm().restart();
        stage.healed("restarted " + victim.jvm().name());
    }

    @Override
    public void heal(Stage stage) {
        stage.cluster().workers().stream()
                .filter(w -> !w.jvm().isAlive())
                .forEach(w -> w.jvm().restart());
    }
}
