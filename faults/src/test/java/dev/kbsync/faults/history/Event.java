package dev.kbsync.faults.history;

import java.util.Objects;

/**
 * One line of a history: a client's invocation of an operation, its completion ({@link Type#OK}, {@link Type#FAIL}
 * with the HTTP status, {@link Type#UNKNOWN} when no answer came), an observation ({@link Kind#READ} of a job or
 * lease: its state and queue position) or a fault a nemesis injected.
 *
 * @param process the client (or nemesis) that acted
 * @param kb the KB the operation is about
 * @param id the job or lease id once known, else ""
 * @param token the fencing token the answer carried, 0 when none
 * @param ahead the queue position the answer reported, -1 when none
 * @param status the HTTP status of the answer, 0 when there was none
 * @param state the job or lease state the answer reported ("" when none)
 * @param nanos {@link System#nanoTime()} when recorded (monotonic: orders events)
 * @param wallMillis {@link System#currentTimeMillis()} when recorded
 */
public record Event(
        String process,
        Type type,
        Kind kind,
        String kb,
        String id,
        long token,
        int ahead,
        int status,
        String state,
        long nanos,
        long wallMillis) {
    public enum Type {
        INVOKE,
        OK,
        FAIL,
        UNKNOWN
    }

    public enum Kind {
        /** POST /v1/kbs/{kb}/notes. */
        SUBMIT,
        /** POST /v1/kbs/{kb}/leases, then heartbeats until granted: OK carries the grant's token. */
        ACQUIRE,
        /** DELETE /v1/leases/{id}: OK carries the lease's final state. */
        RELEASE,
        /** GET of a job or heartbeat of a waiting lease: state and position. */
        READ,
        /** A fault injected (INVOKE) or healed (OK) by a nemesis; {@code state} names it. */
        FAULT
    }

    public Event {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
        kb = kb == null ? "" : kb;
        id = id == null ? "" : id;
        state = state == null ? "" : state;
        if (ahead < -1 || token < 0 || status < 0) {
            throw new IllegalArgumentException("negative token, status or position: " + token + " " + status);
        }
    }

    /** An event of {@code type} stamped now. */
    public static Event now(
            String process,
            Type type,
            Kind kind,
            String kb,
            String id,
            long token,
            int ahead,
            int status,
            String state) {
        return new Event(
                process,
                type,
                kind,
                kb,
                id,
                token,
                ahead,
                status,
                state,
                System.nanoTime(),
                System.currentTimeMillis());
    }

    /** The event as one JSON line. */
    public String json() {
        return String.format(
                "{\"process\":\"%s\",\"type\":\"%s\",\"kind\":\"%s\",\"kb\":\"%s\",\"id\":\"%s\",\"token\":%d,"
                        + "\"ahead\":%d,\"status\":%d,\"state\":\"%s\",\"nanos\":%d,\"wallMillis\":%d}",
                process, type, kind, kb, id, token, ahead, status, state, nanos, wallMillis);
    }
}
