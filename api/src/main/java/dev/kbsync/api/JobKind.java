package dev.kbsync.api;

import java.util.Locale;
import java.util.Optional;

/** What a job does to its KB. */
public enum JobKind {
    NOTE,
    AGENT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobKind fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** The kind named {@code value} on the wire, if this version knows it. */
    public static Optional<JobKind> find(String value) {
        for (JobKind kind : values()) {
            if (kind.wire().equals(value)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
