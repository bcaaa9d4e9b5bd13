package dev.kbsync.coordinator.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Locale;

/**
 * The {@code return} preference of RFC 7240 ({@code Prefer: return=minimal}): whether a submission asks for the short
 * answer (the job's id and place) instead of the whole job. Other preferences, unknown values and malformed ones are
 * ignored, as the RFC asks; the first {@code return} preference counts.
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
            for (String preference : header.split(",")) {
                String head = preference.split(";", 2)[0];
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

    /** Marks an answer that honoured the preference. */
    static void applied(HttpServerResponse response) {
        response.putHeader(APPLIED, MINIMAL);
    }
}
