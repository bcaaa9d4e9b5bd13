package dev.kbsync.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Which snapshot a read of a KB's files, tree or log uses: the latest ({@code at} and {@code after} null), an older
 * commit of the branch ({@code at}), or the latest once it holds a commit ({@code after}: read your own writes, with a
 * job's {@code commit}). Commit ids are full (40 lower-case hex digits).
 */
public record ReadQuery(String at, String after) {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    public ReadQuery {
        if (at != null && !COMMIT.matcher(at).matches()) {
            throw new IllegalArgumentException("at must be a full commit id, got " + at);
        }
        if (after != null && !COMMIT.matcher(after).matches()) {
            throw new IllegalArgumentException("after must be a full commit id, got " + after);
        }
    }

    public static ReadQuery latest() {
        return new ReadQuery(null, null);
    }

    /** The latest snapshot once it holds {@code commit} (the coordinator waits a bounded time for it). */
    public static ReadQuery after(String commit) {
        return new ReadQuery(null, Objects.requireNonNull(commit, "commit"));
    }

    /** The KB as of {@code commit}, which must be on its branch. */
    public static ReadQuery at(String commit) {
        return new ReadQuery(Objects.requireNonNull(commit, "commit"), null);
    }

    /** {@code ?name=value&...} of {@code extra} (null values left out) and this query; empty without any. */
    public String queryString(Map<String, String> extra) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        extra.forEach((name, value) -> add(query, name, value));
        add(query, "at", at);
        add(query, "after", after);
        return query.toString();
    }

    private static void add(StringJoiner query, String name, String value) {
        if (value != null) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
