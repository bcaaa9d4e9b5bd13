package dev.kbsync.faults;

import dev.kbsync.faults.check.Expected;
import dev.kbsync.faults.nemesis.Nemesis;
import java.time.Duration;

/**
 * One bounded run: a nemesis, how long the clients load the cluster, how many lease holders and job submitters (each
 * submitter sends a note every {@link #submitMillis()} ms), the target docs/reliability.md states for it, and the
 * recovery bound that target states, if any.
 */
record Scenario(
        String id, Nemesis nemesis, Duration load, int holders, int submitters, String target, Recovery recovery) {
    /**
     * The longest time docs/reliability.md allows from a fault whose name starts with {@code after} until every KB
     * grants a lease holder again.
     */
    record Recovery(String after, Duration within) {
        static final Recovery NONE = new Recovery("", null);
    }

    /** A scenario whose target states no recovery bound. */
    Scenario(String id, Nemesis nemesis, Duration load, int holders, int submitters, String target) {
        this(id, nemesis, load, holders, submitters, target, Recovery.NONE);
    }

    /** What the checker holds the run to besides its general properties. */
    Expected expected() {
        String name = nemesis == Nemesis.NONE ? null : nemesis.name();
        long bound = recovery.within() == null ? -1 : recovery.within().toMillis();
        return new Expected(name, recovery.after(), bound);
    }

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
        String value = System.getProperty("faults.submitMillis", "200");
        try {
            int millis = Integer.parseInt(value.trim());
            if (millis >= 1) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                "-Dfaults.submitMillis must be a whole number of milliseconds >= 1, not '" + value + "'");
    }
}
