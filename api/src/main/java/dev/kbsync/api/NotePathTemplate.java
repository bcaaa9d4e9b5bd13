package dev.kbsync.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a note without an explicit path goes in its KB: a KB-relative path with placeholders {@code {yyyy}},
 * {@code {MM}}, {@code {dd}} (the note's submission date in UTC), {@code {shard}} (two hex digits from the job id: 256
 * folders that stay small at any rate, for KBs fed by machines) and {@code {slug}} (from its title; required, once, in
 * the file name, where a collision becomes {@code slug-2}, {@code slug-3}...); kept in NFC ({@link UnicodeForm}), so
 * every path it renders is. Checked when the KB is registered:
 * unknown placeholders, a missing {@code {slug}} and any rendering the cheap path check ({@link RelativePath}) refuses are a
 * {@code 400 INVALID_NOTE_PATH}.
 */
public record NotePathTemplate(String pattern) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final int MAX_LENGTH = 200;
    /** The longest slug the note writer makes (60 characters) plus a collision suffix, for the length check. */
    private static final String LONGEST_SLUG = "s".repeat(60) + "-999";

    /** Notes by month: a folder stays small (a month of notes) and the tree git rewrites per commit with it. */
    public static final NotePathTemplate DEFAULT = new NotePathTemplate("notes/{yyyy}/{MM}/{slug}.md");

    public NotePathTemplate {
        if (pattern == null || pattern.isBlank() || pattern.length() > MAX_LENGTH) {
            throw invalid("must be a KB-relative path of at most " + MAX_LENGTH + " characters, got "
                    + Quoting.quote(pattern));
        }
        if (UnicodeForm.hasLoneSurrogate(pattern)) {
            throw invalid("must not hold an unpaired surrogate (it has no UTF-8 form)");
        }
        pattern = UnicodeForm.nfc(pattern);
        Matcher placeholders = PLACEHOLDER.matcher(pattern);
        while (placeholders.find()) {
            if (!Set.of("yyyy", "MM", "dd", "shard", "slug").contains(placeholders.group(1))) {
                throw invalid(
                        "unknown placeholder {" + placeholders.group(1) + "} (known: {yyyy} {MM} {dd} {shard} {slug})");
            }
        }
        String fileName = pattern.substring(pattern.lastIndexOf('/') + 1);
        if (pattern.indexOf("{slug}") != pattern.lastIndexOf("{slug}") || !fileName.contains("{slug}")) {
            throw invalid(
                    "must contain {slug} once, in the file name (after the last '/'), got " + Quoting.quote(pattern));
        }
        if (placeholders.replaceAll("").matches(".*[{}].*")) {
            throw invalid("has an unmatched brace: " + Quoting.quote(pattern));
        }
        try {
            RelativePath.checkNew(render(pattern, LONGEST_SLUG, LocalDate.of(2026, 12, 31), "ff"));
        } catch (InvalidInputException e) {
            throw invalid(Quoting.quote(pattern) + " renders paths that are not allowed, e.g. " + e.getMessage());
        }
    }

    /** The template from a registration field: {@link #DEFAULT} when absent or blank. */
    public static NotePathTemplate orDefault(String pattern) {
        return pattern == null || pattern.isBlank() ? DEFAULT : new NotePathTemplate(pattern);
    }

    /** The KB-relative path of job {@code jobId}'s note with this slug, submitted at {@code created}. */
    public String render(String slug, Instant created, String jobId) {
        return render(pattern, slug, LocalDate.ofInstant(created, ZoneOffset.UTC), shard(jobId));
    }

    private static String render(String pattern, String slug, LocalDate date, String shard) {
        return pattern.replace("{yyyy}", String.format(Locale.ROOT, "%04d", date.getYear()))
                .replace("{MM}", String.format(Locale.ROOT, "%02d", date.getMonthValue()))
                .replace("{dd}", String.format(Locale.ROOT, "%02d", date.getDayOfMonth()))
                .replace("{shard}", shard)
                .replace("{slug}", slug);
    }

    /** The first byte of the SHA-256 of {@code jobId}, in hex: the same for every attempt of the job. */
    private static String shard(String jobId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(jobId.getBytes(StandardCharsets.UTF_8));
            return String.format(Locale.ROOT, "%02x", hash[0] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException("INVALID_NOTE_PATH", "notePath " + message);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
