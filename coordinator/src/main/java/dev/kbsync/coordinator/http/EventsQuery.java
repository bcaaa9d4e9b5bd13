package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Quoting;
import io.vertx.core.MultiMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The query of {@code GET /v1/events}, checked before anything is read: every KB's snapshots, the listed jobs
 * ({@code ?job=a,b,c}) or a user's jobs ({@code ?user=u}); {@code access_token} is the token an EventSource cannot send
 * as a header.
 */
sealed interface EventsQuery {
    /** Every KB's snapshots. */
    record Snapshots() implements EventsQuery {}

    /** The listed jobs, until each has ended. */
    record Jobs(List<String> ids) implements EventsQuery {}

    /** The user's jobs. */
    record User(String user) implements EventsQuery {}

    /** Most job ids one stream may name. */
    int MAX_JOBS = 100;

    Set<String> PARAMETERS = Set.of("job", "user", "access_token");

    /**
     * A filter this stream does not have (it must not widen it silently), a parameter given twice, job and user
     * together, or a bad value: 400.
     */
    static EventsQuery parse(MultiMap query) {
        for (String name : query.names()) {
            if (!PARAMETERS.contains(name)) {
                throw new InvalidInputException(
                        "UNKNOWN_PARAMETER",
                        "unknown query parameter " + Quoting.quote(name) + "; allowed: job or user");
            }
            if (query.getAll(name).size() > 1) {
                String hint = name.equals("job") ? " (several jobs: one job parameter, ids comma-separated)" : "";
                throw new InvalidInputException("INVALID_PARAMETER", "query parameter " + name + " given twice" + hint);
            }
        }
        if (query.contains("job") && query.contains("user")) {
            throw new InvalidInputException("INVALID_PARAMETER", "give job or user, not both");
        }
        if (query.contains("job")) {
            return new Jobs(ids(query.get("job")));
        }
        return query.contains("user") ? new User(Inputs.user(query.get("user"))) : new Snapshots();
    }

    private static List<String> ids(String value) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : value.split(",", -1)) {
            ids.add(Inputs.id("INVALID_JOB_ID", "job id", id.strip()));
        }
        if (ids.size() > MAX_JOBS) {
            throw new InvalidInputException(
                    "TOO_MANY_JOBS", "one stream follows at most " + MAX_JOBS + " jobs, got " + ids.size());
        }
        return List.copyOf(ids);
    }
}
