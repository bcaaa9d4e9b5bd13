package dev.kbsync.coordinator.snapshot;

import java.util.Objects;

/** A file of a snapshot: its blob (the ETag) and its bytes ({@code data} null when the caller's ETag matched). */
public record FileRead(String path, String commit, String blobId, long size, byte[] data) {
    public FileRead {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(blobId, "blobId");
    }

    /** The caller already has this blob ({@code If-None-Match}): answer 304. */
    public boolean unchanged() {
        return data == null;
    }
}
