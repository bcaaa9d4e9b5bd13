package dev.kbsync.cli;

/** Process exit codes of the commands. */
final class ExitCodes {
    static final int OK = 0;
    static final int JOB_FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int REJECTED = 4;
    static final int SERVER_ERROR = 5;
    /** {@code up}/{@code demo} could not start (e.g. another process owns the data directory). */
    static final int NOT_STARTED = 6;

    private ExitCodes() {}
}
