package dev.kbsync.git;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Formats git trailers ({@code Key: value} lines in the last paragraph of a commit message). */
final class Trailers {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");

    private Trailers() {}

    static String append(String message, Map<String, String> trailers) {
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("Commit message must not be empty");
        }
        String body = message.strip();
        if (trailers.isEmpty()) {
            return body + "\n";
        }
        String block = trailers.entrySet().stream()
                .map(e -> line(e.getKey(), e.getValue()))
                .collect(Collectors.joining("\n"));
        return body + "\n\n" + block + "\n";
    }

    private static String line(String key, String value) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Invalid trailer key: " + key);
        }
        if (value == null || value.isBlank() || value.chars().anyMatch(c -> c == '\n' || c == '\r')) {
            throw new IllegalArgumentException("Invalid value for trailer " + key);
        }
        return key + ": " + value.strip();
    }
}
