package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.KbId;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A heartbeat changed what the worker holding a KB's grant says it is doing: {@code text} now, for the running jobs
 * {@code jobs} under that grant (its own, and a group commit's members). On pub/sub as {@code d <job ids, comma
 * separated> <text, URL-encoded> <origin>} (ids hold no spaces or commas, the encoded text none either).
 */
public record DoingChanged(KbId kb, List<String> jobs, String text) {
    public DoingChanged {
        jobs = List.copyOf(jobs);
    }

    String message(String origin) {
        return "d " + String.join(",", jobs) + " " + URLEncoder.encode(text, StandardCharsets.UTF_8) + " " + origin;
    }

    /** The change a {@code d} message's parts name; empty for a malformed one. */
    static Optional<DoingChanged> parse(String[] parts) {
        if (parts.length != 4 || !parts[0].equals("d")) {
            return Optional.empty();
        }
        List<String> jobs = Arrays.asList(parts[1].split(","));
        int tilde = jobs.get(0).indexOf('~');
        if (tilde <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DoingChanged(
                    KbId.of(jobs.get(0).substring(0, tilde)),
                    jobs,
                    URLDecoder.decode(parts[2], StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }
}
