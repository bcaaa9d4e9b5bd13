package dev.kbsync.coordinator.service;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A job list query, checked: the KBs to list (the caller's), optional user and state filters, the page size, the
 * position the page starts after (the page before's cursor), and which jobs the caller may see (a users-scoped token's filter).
 */
public record JobListQuery(
        List<KbId> kbs,
        Optional<String> user,
        Optional<JobState> state,
        int limit,
        Optional<JobCursor> cursor,
        Predicate<Job> visible) {
    /** Largest page. */
    public static final int MAX_LIMIT = 100;

    /** Page size when the query names none. */
    public static final int DEFAULT_LIMIT = 20;

    public JobListQuery {
        kbs = List.copyOf(kbs);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(visible, "visible");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
    }
}
