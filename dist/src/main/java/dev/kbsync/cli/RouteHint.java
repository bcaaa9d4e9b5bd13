package dev.kbsync.cli;

import dev.kbsync.api.client.KbsyncException;

/** Says so when a coordinator answers that it has no such route (an older version), instead of a bare 404/405. */
final class RouteHint {
    private RouteHint() {}

    /** Prints the failure (for a missing route: that the coordinator does not offer {@code what}); its exit code. */
    static int failed(KbsyncException e, String what) {
        if ("NOT_FOUND".equals(e.code()) || "METHOD_NOT_ALLOWED".equals(e.code())) {
            System.err.println(
                    "error: " + e.code() + ": this coordinator does not offer " + what + " (an older version?)");
            return ExitCodes.of(e);
        }
        return ExitCodes.failed(e);
    }
}
