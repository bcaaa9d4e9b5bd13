package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.util.List;
import java.util.function.Function;

/** Small decoding helpers shared by the wire records' codecs. */
final class Json {
    private Json() {}

    /** The array in {@code field}, which an answer always has (even when empty). */
    static JsonArray required(JsonObject json, String field) {
        JsonArray array = json.getJsonArray(field);
        if (array == null) {
            throw new IllegalArgumentException("no \"" + field + "\" array");
        }
        return array;
    }

    /** The objects of {@code array} (null reads as empty), each decoded. */
    static <T> List<T> list(JsonArray array, Function<JsonObject, T> decode) {
        return array == null
                ? List.of()
                : array.stream().map(o -> decode.apply((JsonObject) o)).toList();
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /**
     * An instant as {@link Instant#toString()} writes it, the form every kbsync timestamp takes
     * ({@code 2026-11-29T07:00:06.120Z}), read without a formatter; anything else (another form ISO-8601 allows, or
     * text that is no instant) goes to {@link Instant#parse}, which reads it or throws as it always did.
     */
    static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        Instant fast = canonical(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with a four-digit year, or null. */
    private static Instant canonical(String s) {
        int n = s.length();
        if (n < 20
                || n > 30
                || s.charAt(n - 1) != 'Z'
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) {
                return null;
            }
            int fraction = digits(s, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = n - 1 - 20; i < 9; i++) {
                nanos *= 10;
            }
        } else if (s.charAt(19) != 'Z') {
            return null;
        }
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > 28 && day > lengthOf(month, year)
                || hour > 23
                || hour < 0
                || minute > 59
                || minute < 0
                || second > 59
                || second < 0) {
            return null;
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static int lengthOf(int month, int year) {
        return Month.of(month).length(Year.isLeap(year));
    }

    /** The decimal number in {@code s[from, to)}, or -1 if a character is no digit. */
    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
