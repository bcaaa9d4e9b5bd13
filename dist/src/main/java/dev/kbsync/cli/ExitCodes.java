package dev.kbsync.cli;

import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.cli.stack.StartFailure;
import dev.kbsync.stop.StopOutcome;

/** Process exit codes of the commands (the README's table lists them). */
final class ExitCodes {
    static final int OK = 0;
    /** A job failed ({@code note}, {@code agent}), the demo's verdict failed, or a {@code doctor} check failed. */
    static final int FAILED = 1;
    /**
     * A bad command line or configuration value; also a port this user may not bind (below 1024, not root), and a
     * Redis whose {@code maxmemory-policy} may evict keys (a setting to change, which a restart would not mend).
     */
    static final int USAGE = 2;

    static final int UNREACHABLE = 3;
    static final int REJECTED = 4;
    static final int SERVER_ERROR = 5;
    /** {@code up}/{@code demo}: another running stack owns the data directory. */
    static final int DATA_DIR_IN_USE = 6;
    /** {@code up}: the coordinator's port is taken. */
    static final int PORT_IN_USE = 7;
    /** {@code up}/{@code demo}: the data directory cannot be created or written. */
    static final int DATA_DIR_NOT_WRITABLE = 8;
    /** {@code up}/{@code demo}: the Redis given with {@code --redis} does not answer. */
    static final int REDIS_UNREACHABLE = 9;
    /** {@code up}/{@code demo}: the embedded redis-server did not start. */
    static final int REDIS_NOT_STARTED = 10;
    /**
     * {@code coordinator}, {@code worker}: the host to listen on is not an address of this machine (yet: a floating
     * address may come later, so a supervisor restarts on it, unlike a bad setting, 2).
     */
    static final int HOST_NOT_LOCAL = 11;
    /**
     * {@code coordinator}: its stop did not finish within {@code shutdown.timeoutSeconds}; {@code up}: its whole stop
     * did not finish within the workers' {@code shutdown.grace} plus that (a WARN names what had not), so it was cut
     * short; nothing accepted is lost.
     */
    static final int STOP_PAST_BOUND = StopOutcome.EXIT_PAST_BOUND;
    /** Anything unexpected (a defect): the log file has the details. */
    static final int INTERNAL = 70;

    private ExitCodes() {}

    /** 3 when the coordinator gave no answer, 4 for a rejected request, 5 for a server error or a server not kbsync. */
    static int of(KbsyncException e) {
        if (e instanceof KbsyncException.Rejected) {
            return REJECTED;
        }
        if (e instanceof KbsyncException.NotKbsync) {
            return SERVER_ERROR;
        }
        return e.status() == 0 ? UNREACHABLE : SERVER_ERROR;
    }

    static int of(StartFailure.Reason reason) {
        return switch (reason) {
            case DATA_DIR_IN_USE -> DATA_DIR_IN_USE;
            case PORT_IN_USE -> PORT_IN_USE;
            case PORT_NOT_PERMITTED -> USAGE;
            case HOST_NOT_LOCAL -> HOST_NOT_LOCAL;
            case DATA_DIR_NOT_WRITABLE -> DATA_DIR_NOT_WRITABLE;
            case REDIS_UNREACHABLE -> REDIS_UNREACHABLE;
            case REDIS_NOT_STARTED -> REDIS_NOT_STARTED;
            case REDIS_MAY_EVICT -> USAGE;
        };
    }

    /**
     * Prints the failure as {@code error: CODE: message} (with a hint when nothing answered, or something that is not
     * kbsync did) and returns its code.
     */
    static int failed(KbsyncException e) {
        return failed(e, "");
    }

    /** {@link #failed(KbsyncException)} with {@code more} said at the end of the line. */
    static int failed(KbsyncException e, String more) {
        String hint = "";
        if (e instanceof KbsyncException.Unreachable) {
            hint = "; is it running? ('kbsync up' starts one; --url or KBSYNC_URL points elsewhere)";
        } else if (e instanceof KbsyncException.NotKbsync) {
            hint = "; check --url (or KBSYNC_URL)";
        }
        System.err.println("error: " + e.getMessage() + hint + more);
        return of(e);
    }
}
