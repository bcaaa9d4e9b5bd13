package dev.kbsync.faults.nemesis;

import dev.kbsync.faults.cluster.JvmProcess;
import java.util.List;

/** kill -9 of a coordinator, restarted after 1-2 s on the same port (its workers and clients reconnect). */
public final class CoordinatorKill implements Nemesis {
    @Override
    public String name() {
        return "kill -9 of a coordinator, restarted after 1-2 s";
    }

    @Override
    public void run(Stage stage) {
        while (!stage.stopping()) {
            once(stage);
            stage.sleep(stage.between(1000, 2500));
        }
    }

    static void once(Stage stage) {
        List<JvmProcess> coordinators = stage.cluster().coordinators();
        int i = stage.random().nextInt(coordinators.size());
        JvmProcess victim = coordinators.get(i);
        victim.kill();
        stage.fault("kill -9 " + victim.name());
        stage.sleep(stage.between(1000, 2000));
        victim.restart();
        stage.cluster().awaitReady(i);
        stage.healed("restarted " + victim.name());
    }

    @Override
    public void heal(Stage stage) {
        List<JvmProcess> coordinators = stage.cluster().coordinators();
        for (int i = 0; i < coordinators.size(); i++) {
            if (!coordinators.get(i).isAlive()) {
                coordinators.get(i).restart();
                stage.cluster().awaitReady(i);
            }
        }
    }
}
