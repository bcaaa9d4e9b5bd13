package dev.kbsync.faults;

import dev.kbsync.faults.nemesis.Nemesis;
import java.time.Duration;

/**
 * One bounded run: a nemesis, how long the clients load the cluster, how many lease holders and job submitters (each
 * submitter sends a note every ~{@code submitIntervalMs}), and the target docs/reliability.md states for it.
 */
record Scenario(
        String id, Nemesis nemesis, Duration load, int holders, int submitters, int submitIntervalMs, String target) {
    /** The load time of the run: {@code -Dfaults.seconds} (6 by default, more under -Psoak) times {@code factor}. */
    static Duration load(double factor) {
        long seconds = Long.getLong("faults.seconds", 6);
        return Duration.ofMillis((long) (seconds * 1000 * factor));
    }

    /**
     * How often each submitter sends a note: {@code -Dfaults.submitMillis} (200 ms by default, 100 under -Psoak). With
     * 100 ms, {@code FaultsIT}'s child JVMs used 101 CPU seconds against 79 (one run each, the machine otherwise idle),
     * on cores that the last modules' tests share.
     */
    static int submitMillis() {
        return Integer.getInteger("faults.submitMillis", 200);
    }
}
