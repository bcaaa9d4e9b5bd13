package dev.kbsync.api;

/** The git commit trailers kbsync writes into every commit it makes, and reads back for exactly-once and fencing. */
public final class Trailers {
    /** The job (or library operation) a commit carries: found again on the remote, the job is not applied twice. */
    public static final String JOB = "Kbsync-Job";

    /** The fencing token of the grant the commit was made under; strictly increasing along a KB's branch. */
    public static final String FENCE = "Kbsync-Fence";

    /**
     * The KB whose fencing token {@link #FENCE} is (fences are counted per KB; KBs may share a branch). A fenced commit
     * without it counts for every KB.
     */
    public static final String KB = "Kbsync-Kb";

    private Trailers() {}
}
