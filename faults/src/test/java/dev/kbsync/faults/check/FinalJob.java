package dev.kbsync.faults.check;

import java.util.Objects;

/** An acknowledged job as {@code GET /v1/jobs/{id}} answered after the run ({@code state} "missing" on a 404). */
public record FinalJob(String id, String state, String errorCode) {
    public FinalJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        errorCode = errorCode == null ? "" : errorCode;
    }
}
