package dev.kbsync.coordinator.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.kbsync.api.InvalidInputException;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.io.IOException;

/** JSON request bodies: the Content-Type check (415) and parsing into strict {@link Fields}. */
final class Bodies {
    /** Strict JSON: Jackson's defaults (no comments, ...) and a name read twice in an object is an error. */
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Set on a request whose route reads a body ({@link #readsBody}). */
    private static final String READS_BODY = "kbsync.readsBody";

    private Bodies() {}

    /** Whether {@code ctx}'s route reads a request body (the body handler runs for it before anything else). */
    static boolean readsBody(RoutingContext ctx) {
        return ctx.get(READS_BODY) != null;
    }

    /** A route handler that rejects anything but {@code Content-Type: application/json} with 415. */
    static Handler<RoutingContext> requireJson() {
        return ctx -> {
            if (!media(ctx).equals("application/json")) {
                throw HttpError.forStatus(415);
            }
            ctx.next();
        };
    }

    /** {@link #requireJson()} for a route whose body is optional: no body at all passes, whatever its Content-Type. */
    static Handler<RoutingContext> requireJsonIfAny() {
        return ctx -> {
            if (!ctx.body().isEmpty() && !media(ctx).equals("application/json")) {
                throw HttpError.forStatus(415);
            }
            ctx.next();
        };
    }

    /**
     * A route handler, before the body is read, that rejects with 415 a form or multipart body (the body handler would
     * decode one, and fail on a malformed one with an unexpected exception; no route takes one) and a compressed one
     * (a {@code Content-Encoding} other than {@code identity}: the server does not decompress, and would read the
     * bytes as they came). A platform handler, since Vert.x Web runs those before the body handler.
     */
    static PlatformHandler refuseForms() {
        return ctx -> {
            ctx.put(READS_BODY, Boolean.TRUE);
            String media = media(ctx);
            if (media.startsWith("multipart/") || media.equals("application/x-www-form-urlencoded")) {
                throw HttpError.forStatus(415);
            }
            String encoding = ctx.request().getHeader("Content-Encoding");
            if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                throw new HttpError(
                        415, "UNSUPPORTED_MEDIA_TYPE", "send the body uncompressed (no Content-Encoding, or identity)");
            }
            ctx.next();
        };
    }

    private static String media(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        return type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Fails unless {@code body} is strict JSON (RFC 8259): no comments (Vert.x's own decoder reads them) and no name
     * twice in an object (which would otherwise keep its last value, silently).
     */
    static void strict(String body) throws IOException {
        try (JsonParser parser = STRICT.createParser(body)) {
            while (parser.nextToken() != null) {
                // every token read: a comment or a repeated name fails the read
            }
        }
    }

    /** {@link #object}, or no fields at all for a request without a body (a route whose body is optional). */
    static Fields optionalObject(RoutingContext ctx, String... allowed) {
        return ctx.body().isEmpty() ? Fields.of(new JsonObject(), "", allowed) : object(ctx, allowed);
    }

    /** The body as a JSON object with only {@code allowed} top-level fields. */
    static Fields object(RoutingContext ctx, String... allowed) {
        if (ctx.body().isEmpty()) {
            throw new InvalidInputException("MISSING_BODY", "a JSON object body is required");
        }
        Object parsed;
        try {
            String text = text(ctx.body().buffer().getBytes());
            strict(text);
            parsed = Json.decodeValue(text);
        } catch (DecodeException | IOException e) {
            throw new InvalidInputException("INVALID_JSON", "the body is not valid JSON");
        }
        if (!(parsed instanceof JsonObject json)) {
            throw new InvalidInputException("INVALID_JSON", "the body must be a JSON object");
        }
        return Fields.of(json, "", allowed);
    }

    /**
     * The body as text: JSON is UTF-8 (RFC 8259), so bytes that are not (an overlong form, UTF-16) are refused rather
     * than read as some other text. A leading byte order mark is ignored, as the RFC allows.
     */
    private static String text(byte[] body) {
        String text = Utf8.decode(body)
                .orElseThrow(() -> new InvalidInputException("INVALID_JSON", "the body is not UTF-8 text"));
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
