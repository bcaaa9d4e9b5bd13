package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.ListCursor;
import io.vertx.core.MultiMap;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The query of {@code GET /v1/jobs?kb=&user=&state=&limit=&cursor=}, checked before anything is read. */
record JobListInput(
        Optional<KbId> kb, Optional<String> user, Optional<JobState> state, int limit, Optional<ListCursor> cursor) {
    private static final Set<String> NAMES = Set.of("kb", "user", "state", "limit", "cursor");
    private static final int MAX_CURSOR = 256;

    static JobListInput parse(MultiMap query) {
        for (String name : query.names()) {
            if (!NAMES.contains(name)) {
                throw new InvalidInputException(
                        "UNKNOWN_PARAMETER",
                        "unknown query parameter " + Quoting.quote(name) + "; allowed: " + String.join(", ", NAMES));
            }
            if (query.getAll(name).size() > 1) {
                throw new InvalidInputException("INVALID_PARAMETER", "query parameter " + name + " given twice");
            }
        }
        return new JobListInput(
                Optional.ofNullable(query.get("kb")).map(KbId::of),
                Optional.ofNullable(query.get("user")).map(Inputs::user),
                Optional.ofNullable(query.get("state")).map(JobListInput::state),
                Optional.ofNullable(query.get("limit")).map(JobListInput::limit).orElse(JobListQuery.DEFAULT_LIMIT),
                Optional.ofNullable(query.get("cursor")).map(JobListInput::cursor));
    }

    private static JobState state(String value) {
        for (JobState state : JobState.values()) {
            if (state.wire().equals(value)) {
                return state;
            }
        }
        throw new InvalidInputException(
                "INVALID_STATE",
                "state must be one of "
                        + Arrays.stream(JobState.values()).map(JobState::wire).collect(Collectors.joining(", "))
                        + ", got " + Quoting.quote(value));
    }

    private static int limit(String value) {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= JobListQuery.MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidInputException(
                "INVALID_LIMIT",
                "limit must be an integer from 1 to " + JobListQuery.MAX_LIMIT + ", got " + Quoting.quote(value));
    }

    private static ListCursor cursor(String value) {
        if (value.length() > MAX_CURSOR) {
            throw new InvalidInputException("INVALID_CURSOR", "cursor is not a nextCursor this API gave out");
        }
        return ListCursor.decode(value);
    }
}
