package dev.kbsync.cli;

import dev.kbsync.api.client.KbsyncException;

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

    /** 3 when the coordinator gave no answer, 4 for a rejected request, 5 for a server error. */
    static int of(KbsyncException e) {
        if (e instanceof KbsyncException.Rejected) {
            return REJECTED;
        }
        return e.status() == 0 ? UNREACHABLE : SERVER_ERROR;
    }

    /** Prints the failure as {@code error: CODE: message} and returns its exit code. */
    static int failed(KbsyncException e) {
        System.err.println("error: " + e.getMessage());
        return of(e);
    }
}
