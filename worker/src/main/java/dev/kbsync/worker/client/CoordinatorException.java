package dev.kbsync.worker.client;

/** A coordinator call that did not succeed; subclasses say whether the lease is gone or the coordinator is down. */
public class CoordinatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CoordinatorException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The coordinator answered 409 LEASE_LOST: the lease expired or was taken; stop before pushing. */
    public static final class LeaseLost extends CoordinatorException {
        private static final long serialVersionUID = 1L;

        public LeaseLost(String message) {
            super(message, null);
        }
    }

    /** The coordinator (or its Redis) could not be reached: connection error, timeout or 5xx. */
    public static final class Unreachable extends CoordinatorException {
        private static final long serialVersionUID = 1L;

        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The coordinator refused the call (4xx other than LEASE_LOST); retrying will not help. */
    public static final class Refused extends CoordinatorException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public Refused(int status, String message) {
            super(message, null);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
