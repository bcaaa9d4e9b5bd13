package dev.kbsync.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/**
 * A query of the job list ({@code GET /v1/jobs?kb=&user=&state=&limit=&cursor=}, newest first): each filter is
 * optional (null), {@code cursor} is the opaque {@code nextCursor} of the page before. The coordinator checks the
 * values.
 */
public record JobQuery(KbId kb, String user, String state, Integer limit, String cursor) {
    public static JobQuery all() {
        return new JobQuery(null, null, null, null, null);
    }

    public JobQuery withKb(KbId value) {
        return new JobQuery(value, user, state, limit, cursor);
    }

    public JobQuery withUser(String value) {
        return new JobQuery(kb, value, state, limit, cursor);
    }

    /** {@code queued}, {@code running}, {@code done}, {@code failed}, ... as the coordinator names them. */
    public JobQuery withState(String value) {
        return new JobQuery(kb, user, value, limit, cursor);
    }

    public JobQuery withLimit(Integer value) {
        return new JobQuery(kb, user, state, value, cursor);
    }

    /** The page after the one that answered {@code nextCursor}. */
    public JobQuery after(String nextCursor) {
        return new JobQuery(kb, user, state, limit, nextCursor);
    }

    /** {@code ?kb=...&...} with the given filters, URL-encoded; empty without any. */
    public String queryString() {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        add(query, "kb", kb == null ? null : kb.value());
        add(query, "user", user);
        add(query, "state", state);
        add(query, "limit", limit == null ? null : limit.toString());
        add(query, "cursor", cursor);
        return query.toString();
    }

    private static void add(StringJoiner query, String name, String value) {
        if (value != null) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
