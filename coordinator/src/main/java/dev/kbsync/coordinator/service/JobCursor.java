package dev.kbsync.coordinator.service;

import dev.kbsync.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in the job list: a job's submit time (Redis ms) and ticket id. The list runs newest first: larger
 * positions (later, then larger ticket id) come first; ticket ids are unique, so no two jobs share a position. As the
 * API's opaque {@code cursor} (when the caller may see the job there) it is base64url of {@code v1:<ms>:<ticket>}: the
 * next page starts after it.
 */
public record JobCursor(long ms, String ticket) implements Comparable<JobCursor>, ListCursor {
    private static final Comparator<JobCursor> ORDER =
            Comparator.comparingLong(JobCursor::ms).thenComparing(JobCursor::ticket);
    private static final Pattern FORM = Pattern.compile("v1:(\\d{1,15}):([0-9a-f]{1,64})");

    @Override
    public int compareTo(JobCursor other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String encode() {
        String plain = "v1:" + ms + ":" + ticket;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Fails with INVALID_CURSOR for anything {@link #encode} did not make. */
    public static JobCursor decode(String cursor) {
        try {
            Matcher m = FORM.matcher(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (m.matches()) {
                return new JobCursor(Long.parseLong(m.group(1)), m.group(2));
            }
        } catch (IllegalArgumentException e) {
            // not base64url: refused below
        }
        throw new InvalidInputException("INVALID_CURSOR", "cursor is not a nextCursor this API gave out");
    }
}
