package dev.kbsync.faults.nemesis;

/** A fault injector: runs its schedule while the clients load the cluster, then heals what it broke. */
public interface Nemesis {
    /** No faults: the baseline. */
    Nemesis NONE = new Nemesis() {
        @Override
        public String name() {
            return "no faults";
        }

        @Override
        public void run(Stage stage) {}
    };

    /** The fault as docs/reliability.md names it. */
    String name();

    /** Injects faults until {@link Stage#stopping()}; records each one with {@link Stage#fault}. */
    void run(Stage stage);

    /** True when the run's remotes must be served by {@code git daemon} (pushes run their hooks), not file URLs. */
    default boolean remotesOverGit() {
        return false;
    }

    /** Undoes whatever fault is still in force (called once the load stopped, also after a failure). */
    default void heal(Stage stage) {}
}
