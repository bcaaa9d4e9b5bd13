package dev.kbsync.faults;

import java.util.concurrent.ThreadLocalRandom;

/** The seed of a run: {@code -Dfaults.seed=<n>} replays a printed one, else a fresh random one. */
final class Seeds {
    private Seeds() {}

    static long base() {
        String given = System.getProperty("faults.seed", "");
        return given.isBlank()
                ? ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)
                : Long.parseLong(given.strip());
    }

    /** The seed of {@code scenario} under {@code base}: each scenario's schedule replays on its own. */
    static long of(long base, String scenario) {
        return base ^ ((long) scenario.hashCode() << 16);
    }

    /** The failure message: every violation, and how to replay. */
    static String replay(String scenario, long base, java.util.List<String> violations) {
        return scenario + " violated " + violations.size() + " guarantees (replay: mvn verify -pl faults -am"
                + " -Dit.test=... -Dfaults.seed=" + base + "):\n  " + String.join("\n  ", violations);
    }
}
