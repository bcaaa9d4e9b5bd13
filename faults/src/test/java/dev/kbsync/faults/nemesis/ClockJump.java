package dev.kbsync.faults.nemesis;

import dev.kbsync.faults.cluster.JvmProcess;

/**
 * A coordinator whose wall clock runs 30 s ahead of the others' (libfaketime; monotonic clocks untouched): it is
 * restarted so, serves its share of clients and workers for the run, and is restarted with a true clock after.
 */
public final class ClockJump implements Nemesis {
    static final String OFFSET = "+30s";

    @Override
    public String name() {
        return "a coordinator's wall clock 30 s ahead (faketime)";
    }

    @Override
    public void run(Stage stage) {
        JvmProcess victim = stage.cluster().coordinators().get(1);
        victim.restart(OFFSET);
        stage.cluster().awaitReady(1);
        stage.fault(victim.name() + " clock " + OFFSET);
    }

    @Override
    public void heal(Stage stage) {
        stage.cluster().coordinators().get(1).restart();
        stage.cluster().awaitReady(1);
        stage.healed("true clock again");
    }
}
