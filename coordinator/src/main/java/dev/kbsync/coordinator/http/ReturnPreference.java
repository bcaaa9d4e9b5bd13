package dev.kbsync.coordinator.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code return} preference of RFC 7240 ({@code Prefer: return=minimal}): whether a submission asks for the short
 * answer (the job's id and place) instead of the whole job. Other preferences, unknown values and malformed ones are
 * ignored, as the RFC asks; the first {@code return} preference counts, and a separator inside a quoted value does not
 * separate.
 */
final class ReturnPreference {
    static final String HEADER = "Prefer";
    static final String APPLIED = "Preference-Applied";
    static final String MINIMAL = "return=minimal";

    private ReturnPreference() {}

    /** Whether {@code request} prefers {@code return=minimal}. */
    static boolean minimal(HttpServerRequest request) {
        return minimal(request.headers().getAll(HEADER));
    }

    /** Whether these {@code Prefer} header values prefer {@code return=minimal}. */
    static boolean minimal(List<String> headers) {
        for (String header : headers) {
            for (String preference : unquotedSplit(header, ',')) {
                String head = unquotedSplit(preference, ';').get(0);
                int eq = head.indexOf('=');
                if (eq < 0 || !head.substring(0, eq).trim().equalsIgnoreCase("return")) {
                    continue;
                }
                String value = head.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.toLowerCase(Locale.ROOT).equals("minimal");
            }
        }
        return false;
    }

    /**
     * {@code text} cut at each {@code separator} outside a quoted string (RFC 9110: a quoted string may hold the
     * separator, and a backslash quotes the character after it).
     */
    private static List<String> unquotedSplit(String text, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == separator) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    /** Marks an answer that honoured the preference. */
    static void applied(HttpServerResponse response) {
        response.putHeader(APPLIED, MINIMAL);
    }
}
