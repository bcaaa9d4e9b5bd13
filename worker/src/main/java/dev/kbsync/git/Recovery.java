package dev.kbsync.git;

import java.util.List;

/** Outcome of {@link KbRepository#resetToRemote()}. */
public sealed interface Recovery {

    /** The checkout equals the remote branch at {@code head}; {@code actions} says what was repaired. */
    record Recovered(String head, List<String> actions) implements Recovery {
        public Recovered {
            actions = List.copyOf(actions);
        }
    }

    /** The repository is damaged beyond repair: wipe it and clone again ({@link KbRepository#reclone}). */
    record NeedsReclone(String reason) implements Recovery {}
}
