package dev.kbsync.coordinator.auth;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Quoting;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names a token may act on (KB ids or users): exact names and prefixes ending in {@code *} ({@code team-*}). No
 * patterns (or {@code *}) mean every name.
 */
public record NamePatterns(List<String> patterns) {
    public static final NamePatterns ANY = new NamePatterns(List.of());
    private static final Pattern ITEM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\\*?|\\*");

    public NamePatterns {
        patterns = List.copyOf(patterns);
        for (String pattern : patterns) {
            if (!ITEM.matcher(pattern).matches()) {
                throw new InvalidInputException(
                        "INVALID_SCOPE",
                        "a scope item is a name or a prefix ending in *, got " + Quoting.quote(pattern));
            }
        }
        if (patterns.contains("*")) {
            patterns = List.of();
        }
    }

    /** Comma-separated items; blank = every name. */
    public static NamePatterns parse(String items) {
        if (items == null || items.isBlank()) {
            return ANY;
        }
        return new NamePatterns(Arrays.stream(items.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList());
    }

    public boolean any() {
        return patterns.isEmpty();
    }

    public boolean matches(String name) {
        return any()
                || patterns.stream()
                        .anyMatch(p ->
                                p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : p.equals(name));
    }

    /** The one name these patterns allow, if they are exactly one name. */
    public Optional<String> single() {
        return patterns.size() == 1 && !patterns.get(0).endsWith("*") ? Optional.of(patterns.get(0)) : Optional.empty();
    }

    @Override
    public String toString() {
        return any() ? "*" : String.join(",", patterns);
    }
}
