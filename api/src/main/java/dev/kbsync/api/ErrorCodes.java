package dev.kbsync.api;

/** Error codes clients act on: in {@code {"error":{"code"}}} answers and in a failed job's {@code error.code}. */
public final class ErrorCodes {
    /** The lease is not (or no longer) the KB's current grant: stop writing, someone else may hold the KB now. */
    public static final String LEASE_LOST = "LEASE_LOST";

    /** A failed job's error: every attempt's worker went silent and its lease expired (attempt limit reached). */
    public static final String LEASE_EXPIRED = "LEASE_EXPIRED";

    /** A failed job's error: every attempt overran the maximum hold of one grant (attempt limit reached). */
    public static final String MAX_HOLD_EXCEEDED = "MAX_HOLD_EXCEEDED";

    /** Redis did not confirm a write on enough replicas in time: the answer is withheld (503, retry). */
    public static final String REPLICATION_TIMEOUT = "REPLICATION_TIMEOUT";

    /** Redis does not answer (no connection, or no answer within the bound): 503 with Retry-After, retry. */
    public static final String REDIS_UNAVAILABLE = "REDIS_UNAVAILABLE";

    /**
     * The coordinator is stopping: the request was not carried out, or (one under way when the stop began) may have
     * been; 503 with Retry-After, retry (on another coordinator if there is one; a submit with its Idempotency-Key).
     */
    public static final String COORDINATOR_STOPPING = "COORDINATOR_STOPPING";

    /**
     * Redis is unreachable and the coordinator's degraded-mode journal is full or cannot be written: the job was not
     * accepted (503 with Retry-After, retry).
     */
    public static final String JOURNAL_UNAVAILABLE = "JOURNAL_UNAVAILABLE";

    /**
     * Redis answers, but the KB's jobs accepted in degraded mode are still on their way from the coordinator's journal
     * into Redis, and a submission with a {@code callbackUrl}, which a journal job cannot carry, would have to queue
     * behind them there: not accepted (503 with Retry-After, retry; another coordinator takes it at once).
     */
    public static final String JOURNAL_DRAINING = "JOURNAL_DRAINING";

    /**
     * The job was accepted in degraded mode and is still in the coordinator's journal, on its way into Redis: its
     * event stream and its cancel need it there (503 with Retry-After, retry); its read answers from the journal.
     */
    public static final String JOB_RESTORING = "JOB_RESTORING";

    /**
     * A read's {@code after} commit did not reach the coordinator's snapshot of the KB in time: 503 with Retry-After,
     * retry (on the same coordinator: it is about the KB there, not the coordinator).
     */
    public static final String SNAPSHOT_BEHIND = "SNAPSHOT_BEHIND";

    /**
     * The coordinator could not fetch the KB yet (its remote unreachable, credentials it cannot use): a read answers
     * 503 with Retry-After, retry (it is about the KB there, not the coordinator).
     */
    public static final String SNAPSHOT_UNAVAILABLE = "SNAPSHOT_UNAVAILABLE";

    /**
     * The coordinator's reads are busy: a read found no read thread free in time (another read of its KB's, or of all
     * KBs, held them) and did not run: 503 with Retry-After, retry (another coordinator's threads may be free).
     */
    public static final String READS_BUSY = "READS_BUSY";

    /** A retry of a job that did not fail and was not cancelled (it is queued, running or done): 409, nothing stored. */
    public static final String JOB_NOT_RETRYABLE = "JOB_NOT_RETRYABLE";

    /** An agent task while every known worker runs notes only (none has an agent command): 409, nothing stored. */
    public static final String NO_AGENT_WORKER = "NO_AGENT_WORKER";

    /** A KB removal while tickets of the KB are queued or running (or its lock is held): 409, nothing removed. */
    public static final String KB_BUSY = "KB_BUSY";

    /** An idempotency key already used for a different request: 409, nothing stored. */
    public static final String IDEMPOTENCY_MISMATCH = "IDEMPOTENCY_MISMATCH";

    /**
     * The whole request (line, headers and body) did not arrive within the coordinator's http.requestReadSeconds: 408,
     * nothing done, the connection closed; send it again on a new connection.
     */
    public static final String REQUEST_TIMEOUT = "REQUEST_TIMEOUT";

    private ErrorCodes() {}
}
