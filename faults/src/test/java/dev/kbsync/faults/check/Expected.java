package dev.kbsync.faults.check;

/**
 * What the run's scenario promises beyond the checker's general properties.
 *
 * @param nemesis the fault the scenario injects, as docs/reliability.md names it; {@code null} for a run without
 *     faults. A run with a nemesis must record at least one injected fault, else it proved nothing.
 * @param recoveryAfter the start of the names of the faults the recovery bound counts from ({@code ""}: every fault)
 * @param recoveryBoundMillis the longest time docs/reliability.md allows from such a fault until every KB that had
 *     lease holders granted one again; {@code -1} where it states none
 */
public record Expected(String nemesis, String recoveryAfter, long recoveryBoundMillis) {
    /** A run without faults and without a recovery bound. */
    public static final Expected NOTHING = new Expected(null, "", -1);

    public Expected {
        recoveryAfter = recoveryAfter == null ? "" : recoveryAfter;
    }

    /** A run whose nemesis is {@code nemesis}, without a recovery bound. */
    public static Expected faults(String nemesis) {
        return new Expected(nemesis, "", -1);
    }
}
