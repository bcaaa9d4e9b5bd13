package dev.kbsync.api.client;

import dev.kbsync.api.ApiError;
import java.io.Serial;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A call of the coordinator's API that did not succeed. {@link Rejected}: the coordinator answered 4xx (the request
 * as sent will not succeed; a {@link RateLimited} one may later). {@link Unavailable}: no usable answer (5xx, a
 * proxy's 502/503/504, connection failure, timeout); retrying later may succeed. {@link NotKbsync}: the answer is not a
 * kbsync coordinator's. {@link #status()} is the HTTP status (0 without a usable answer) and {@link #code()} the API's
 * error code (docs/api.md), or {@code UNREACHABLE}, {@code TIMEOUT}, {@code NOT_KBSYNC}, {@code INTERRUPTED}, or
 * {@code HTTP_<status>} for a proxy's answer.
 */
public abstract sealed class KbsyncException extends RuntimeException
        permits KbsyncException.Rejected,
                KbsyncException.Unavailable,
                KbsyncException.NotKbsync,
                KbsyncException.Interrupted {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    private KbsyncException(int status, String code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The exception for an error answer; {@code retryAfter} from its {@code Retry-After} header. */
    static KbsyncException of(int status, ApiError error, Optional<Duration> retryAfter) {
        return switch (status) {
            case 401 -> new Unauthenticated(error);
            case 403 -> new Forbidden(error);
            case 404 -> new NotFound(error);
            case 409 -> ApiError.LEASE_LOST.equals(error.code()) ? new LeaseLost(error) : new Conflict(error);
            case 429 -> new RateLimited(error, retryAfter);
            case 503 -> new ServiceUnavailable(503, error, retryAfter);
            default -> status >= 500 ? new ServerError(status, error) : new InvalidRequest(status, error);
        };
    }

    /**
     * The exception for a proxy's or gateway's 502, 503 or 504 in front of a coordinator (not kbsync's answer): the
     * coordinator is unavailable, as with its own 503; code {@code HTTP_<status>}.
     */
    static KbsyncException unavailableBehind(int status, String message, Optional<Duration> retryAfter) {
        return new ServiceUnavailable(status, new ApiError("HTTP_" + status, message), retryAfter);
    }

    /** The exception for a call that got no answer: {@link TimedOut} or {@link Unreachable}. */
    static KbsyncException failed(Throwable cause, URI url) {
        if (cause instanceof KbsyncException known) {
            return known;
        }
        if (cause instanceof TimeoutException) {
            return new TimedOut("no answer from the coordinator at " + url + ": " + cause.getMessage(), cause);
        }
        String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return new Unreachable("cannot reach the coordinator at " + url + ": " + why, cause);
    }

    /** The coordinator answered 4xx. */
    public abstract static sealed class Rejected extends KbsyncException
            permits Unauthenticated, Forbidden, NotFound, LeaseLost, Conflict, RateLimited, InvalidRequest {
        @Serial
        private static final long serialVersionUID = 1L;

        private Rejected(int status, ApiError error) {
            super(status, error.code(), error.message(), null);
        }
    }

    /** No usable answer: the coordinator (or its Redis) is down, overloaded or slow, or the network failed. */
    public abstract static sealed class Unavailable extends KbsyncException
            permits ServiceUnavailable, ServerError, Unreachable, TimedOut {
        @Serial
        private static final long serialVersionUID = 1L;

        private Unavailable(int status, String code, String message, Throwable cause) {
            super(status, code, message, cause);
        }
    }

    /** 401: no token, or an unknown one. */
    public static final class Unauthenticated extends Rejected {
        @Serial
        private static final long serialVersionUID = 1L;

        private Unauthenticated(ApiError error) {
            super(401, error);
        }
    }

    /** 403: the token's role may not call this endpoint. */
    public static final class Forbidden extends Rejected {
        @Serial
        private static final long serialVersionUID = 1L;

        private Forbidden(ApiError error) {
            super(403, error);
        }
    }

    /** 404: no such KB, job, lease or endpoint. */
    public static final class NotFound extends Rejected {
        @Serial
        private static final long serialVersionUID = 1L;

        private NotFound(ApiError error) {
            super(404, error);
        }
    }

    /** 409 {@code LEASE_LOST}: the lease is no longer granted to the caller; stop before writing. */
    public static final class LeaseLost extends Rejected {
        @Serial
        private static final long serialVersionUID = 1L;

        LeaseLost(ApiError error) {
            super(409, error);
        }
    }

    /** 409 with any other code (e.g. {@code JOB_FINISHED}, {@code IDEMPOTENCY_MISMATCH}). */
    public static final class Conflict extends Rejected {
        @Serial
        private static final long serialVersionUID = 1L;

        private Conflict(ApiError error) {
            super(409, error);
        }
    }

    /** 429: the user used up the submission window; try again after {@link #retryAfter()}. */
    public static final class RateLimited extends Rejected {
        @Serial
        private static final long serialVersionUID = 1L;

        private final transient Optional<Duration> retryAfter;

        private RateLimited(ApiError error, Optional<Duration> retryAfter) {
            super(429, error);
            this.retryAfter = retryAfter;
        }

        public Optional<Duration> retryAfter() {
            return retryAfter;
        }
    }

    /** Any other 4xx: the request is invalid (400), or not acceptable as sent (405, 413, 415). */
    public static final class InvalidRequest extends Rejected {
        @Serial
        private static final long serialVersionUID = 1L;

        private InvalidRequest(int status, ApiError error) {
            super(status, error);
        }
    }

    /**
     * 503: a dependency (Redis) is unavailable, one job or KB is not ready on that coordinator ({@code
     * JOB_RESTORING}, {@code SNAPSHOT_BEHIND}, {@code SNAPSHOT_UNAVAILABLE}) or its read threads are taken ({@code
     * READS_BUSY}); or a proxy in front of the coordinator answered 502, 503 or 504 in its place (code {@code
     * HTTP_<status>}, {@link #status()} says which). Try again after {@link #retryAfter()} when given.
     */
    public static final class ServiceUnavailable extends Unavailable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final transient Optional<Duration> retryAfter;

        private ServiceUnavailable(int status, ApiError error, Optional<Duration> retryAfter) {
            super(status, error.code(), error.message(), null);
            this.retryAfter = retryAfter;
        }

        public Optional<Duration> retryAfter() {
            return retryAfter;
        }
    }

    /** 500 or another 5xx. */
    public static final class ServerError extends Unavailable {
        @Serial
        private static final long serialVersionUID = 1L;

        private ServerError(int status, ApiError error) {
            super(status, error.code(), error.message(), null);
        }
    }

    /** The connection failed (refused, reset, closed) before an answer came. */
    public static final class Unreachable extends Unavailable {
        @Serial
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(0, "UNREACHABLE", message, cause);
        }
    }

    /** No answer within the call's timeout (or no event within the wait asked for). */
    public static final class TimedOut extends Unavailable {
        @Serial
        private static final long serialVersionUID = 1L;

        TimedOut(String message, Throwable cause) {
            super(0, "TIMEOUT", message, cause);
        }
    }

    /**
     * The server answered, but not as a kbsync coordinator does: a 2xx that is not JSON or lacks the answer's fields, or
     * an error answer without kbsync's error JSON (an HTML page, a text, another service's JSON; a proxy's 502, 503 or
     * 504 is a {@link ServiceUnavailable} instead). The URL points at another server (a wrong host, port or path
     * prefix), or a proxy answered in the coordinator's place. Not an {@link Unavailable}: the server may have acted on
     * the request, so it is not sent again.
     */
    public static final class NotKbsync extends KbsyncException {
        @Serial
        private static final long serialVersionUID = 1L;

        NotKbsync(URI url, String why, Throwable cause) {
            super(
                    0,
                    "NOT_KBSYNC",
                    "the server at " + url + " did not answer as a kbsync coordinator (" + why + ")",
                    cause);
        }
    }

    /** The calling thread was interrupted while it waited (its interrupt flag is set again). */
    public static final class Interrupted extends KbsyncException {
        @Serial
        private static final long serialVersionUID = 1L;

        Interrupted(String message, InterruptedException cause) {
            super(0, "INTERRUPTED", message, cause);
        }
    }
}
