package dev.kbsync.worker.run;

import dev.kbsync.git.CommitResult;
import dev.kbsync.git.KbRepository;
import java.util.List;
import java.util.Map;

/** One attempt of a {@link PublishCycle}: its units, their outcomes so far and their unpushed commits (by unit index). */
record CycleBatch(
        KbCheckout checkout,
        List<? extends WorkUnit> units,
        GitStopwatch git,
        CycleRounds done,
        KbRepository repo,
        Map<Integer, CommitResult.Committed> commits,
        List<Outcome> outcomes) {
    String first() {
        return units.get(0).id();
    }

    /** The committed units end with {@code outcome}; the others keep theirs. */
    List<Outcome> committedAre(Outcome outcome) {
        commits.keySet().forEach(i -> outcomes.set(i, outcome));
        return outcomes;
    }
}
