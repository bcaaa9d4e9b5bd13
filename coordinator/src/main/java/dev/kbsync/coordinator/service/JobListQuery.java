package dev.kbsync.coordinator.service;

import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job list query, checked: the KBs to list (the caller's), optional user and state filters, the page size, the
 * position the page starts after (the page before's cursor), and the users whose jobs the caller may see (a
 * users-scoped token's names and prefixes ending in {@code *}; empty: every user's).
 */
public record JobListQuery(
        List<KbId> kbs,
        Optional<String> user,
        Optional<JobState> state,
        int limit,
        Optional<ListCursor> cursor,
        List<String> users) {
    /** Largest page. */
    public static final int MAX_LIMIT = 100;

    /** Page size when the query names none. */
    public static final int DEFAULT_LIMIT = 20;

    public JobListQuery {
        kbs = List.copyOf(kbs);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(cursor, "cursor");
        users = List.copyOf(users);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
    }
}
