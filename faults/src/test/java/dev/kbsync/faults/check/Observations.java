package dev.kbsync.faults.check;

import dev.kbsync.faults.history.Event;
import java.util.List;
import java.util.Map;

/**
 * Everything the checker judges: the history, each KB's remote, the final state of each acknowledged job, how long
 * each KB's queue took to drain after the load stopped (-1: it did not drain in time), and what the scenario promised.
 */
public record Observations(
        List<Event> history,
        Map<String, RemoteLog> remotes,
        Map<String, FinalJob> jobs,
        Map<String, Long> drainMillis,
        Expected expected) {
    public Observations {
        expected = expected == null ? Expected.NOTHING : expected;
        history = List.copyOf(history);
        remotes = Map.copyOf(remotes);
        jobs = Map.copyOf(jobs);
        drainMillis = Map.copyOf(drainMillis);
    }
}
