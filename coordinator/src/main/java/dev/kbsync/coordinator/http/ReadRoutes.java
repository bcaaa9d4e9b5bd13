package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.RelativePath;
import dev.kbsync.coordinator.snapshot.FileRead;
import dev.kbsync.coordinator.snapshot.KbMirrors;
import dev.kbsync.coordinator.snapshot.SnapshotReads;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Reads of a KB's files, tree and log from the coordinator's snapshot ({@link KbMirrors}): never the KB's lock, never
 * a writer. Paths pass the same guard as writes ({@link RelativePath}); {@code at} reads an older commit of the branch,
 * {@code after} waits (bounded) until the snapshot holds a commit (read your writes), except on a HEAD.
 */
final class ReadRoutes {
    private static final int DEFAULT_LOG = 20;
    private static final int MAX_LOG = 200;
    private static final String KBS = "/v1/kbs/";
    private static final String FILES = "/files/";

    private final ReadRegistrations registrations;
    private final KbMirrors mirrors;

    ReadRoutes(ReadRegistrations registrations, KbMirrors mirrors) {
        this.registrations = registrations;
        this.mirrors = mirrors;
    }

    void handleFile(RoutingContext ctx) {
        Query query = Query.of(ctx, "at", "after");
        String path = RelativePath.check(filePath(ctx.normalizedPath()));
        Optional<ObjectId> at = query.commit("at");
        Set<String> known = etags(ctx.request().getHeader("If-None-Match"));
        read(ctx, query, snapshot -> SnapshotReads.file(snapshot, at, path, known))
                .onSuccess(file -> answerFile(ctx, file))
                .onFailure(ctx::fail);
    }

    void handleTree(RoutingContext ctx) {
        Query query = Query.of(ctx, "prefix", "at", "after");
        String prefix = query.path("prefix").filter(p -> !p.isEmpty()).orElse("");
        if (!prefix.isEmpty()) {
            // a folder, with or without its trailing '/'; an absolute one ('/' too) is refused as such, not as empty
            boolean folder = prefix.endsWith("/") && !prefix.startsWith("/");
            RelativePath.check(folder ? prefix.substring(0, prefix.length() - 1) : prefix);
        }
        Optional<ObjectId> at = query.commit("at");
        read(ctx, query, snapshot -> SnapshotReads.tree(snapshot, at, prefix))
                .onSuccess(tree -> Responses.ok(ctx, withKb(ctx, tree)))
                .onFailure(ctx::fail);
    }

    void handleLog(RoutingContext ctx) {
        Query query = Query.of(ctx, "path", "limit", "at", "after");
        Optional<String> path = query.path("path").map(RelativePath::check);
        int limit = query.value("limit").map(ReadRoutes::limit).orElse(DEFAULT_LOG);
        Optional<ObjectId> at = query.commit("at");
        read(ctx, query, snapshot -> SnapshotReads.log(snapshot, at, path, limit))
                .onSuccess(log -> Responses.ok(ctx, withKb(ctx, log)))
                .onFailure(ctx::fail);
    }

    private <T> Future<T> read(RoutingContext ctx, Query query, KbMirrors.SnapshotRead<T> read) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        Optional<ObjectId> after = query.commit("after");
        // waiting for a commit is a long poll (503 SNAPSHOT_BEHIND); a HEAD never waits for one, it answers from the
        // snapshot as it is (the fetch it sets going serves the next). Any read may wait up to afterWait for a fetch
        // (the KB's first, or one after ten idle minutes: 503 SNAPSHOT_UNAVAILABLE), so once Redis answered the
        // registration, Redis's bound on the request leaves it that long: it is not answered REDIS_UNAVAILABLE while
        // Redis answers and git does not. A read that finds no read thread free gives up 2 s past its wait, within
        // that bound too (503 READS_BUSY).
        Duration wait = ctx.request().method().equals(HttpMethod.HEAD) ? Duration.ZERO : mirrors.afterWait();
        after.ifPresent(commit -> RedisGate.allowWait(ctx, wait));
        Context context = ctx.vertx().getOrCreateContext();
        return registrations
                .get(kb)
                .compose((KbConfig config) -> {
                    if (after.isEmpty()) { // Redis answered its part: the fetch may take the rest
                        context.runOnContext(v -> RedisGate.extendDeadline(ctx, mirrors.afterWait()));
                    }
                    return Future.fromCompletionStage(mirrors.read(config, after, wait, read), context);
                })
                .recover(ReadRoutes::unwrap);
    }

    private static <T> Future<T> unwrap(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof SnapshotReads.TooLarge tooLarge) {
            cause = new HttpError(413, "FILE_TOO_LARGE", tooLarge.getMessage());
        }
        return Future.failedFuture(cause);
    }

    private static void answerFile(RoutingContext ctx, FileRead file) {
        if (Responses.answered(ctx)) { // a 503 after the request's bound came first
            return;
        }
        String etag = "\"" + file.blobId() + "\"";
        var response = ctx.response()
                .putHeader("ETag", etag)
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Kbsync-Commit", file.commit());
        if (file.unchanged()) {
            response.setStatusCode(304).end();
            return;
        }
        JsonObject body = new JsonObject()
                .put("kb", ctx.pathParam("kb"))
                .put("path", file.path())
                .put("commit", file.commit())
                .put("blobId", file.blobId())
                .put("size", file.size());
        Optional<String> text = Utf8.decode(file.data());
        body.put("encoding", text.isPresent() ? "utf-8" : "base64")
                .put("content", text.orElseGet(() -> Base64.getEncoder().encodeToString(file.data())));
        Responses.end(
                response.setStatusCode(200).putHeader("Content-Type", "application/json"),
                Buffer.buffer(body.encode()));
    }

    private static JsonObject withKb(RoutingContext ctx, JsonObject answer) {
        JsonObject json = new JsonObject().put("kb", ctx.pathParam("kb"));
        answer.forEach(e -> json.put(e.getKey(), e.getValue()));
        return json;
    }

    /**
     * The path after {@code /v1/kbs/<kb>/files/} of the path the router matched (doubled slashes and dot segments
     * resolved, escapes of reserved characters kept), each segment percent-decoded; the KB's own segment is skipped
     * whole, so a KB may be called {@code files}. A name sent as raw UTF-8 bytes reads as its percent-encoded form.
     */
    static String filePath(String raw) {
        int kbEnd = raw.startsWith(KBS) ? raw.indexOf('/', KBS.length()) : -1;
        boolean files = kbEnd > 0 && raw.startsWith(FILES, kbEnd);
        return percentDecode(files ? raw.substring(kbEnd + FILES.length()) : "");
    }

    /** {@code value} (as the request line brought it, {@link #wireBytes}) percent-decoded and read as UTF-8. */
    static String percentDecode(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = wireBytes(value);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return Utf8.decode(out.toByteArray()).orElseThrow(() -> notUtf8(value));
    }

    /**
     * The bytes of part of a request line: the HTTP layer reads each of its bytes as one ISO-8859-1 character, so a
     * name sent as raw UTF-8 ({@code café}, not {@code caf%C3%A9}) comes as one character per byte. A character above
     * U+00FF never comes from the wire; it stands for itself (its UTF-8 bytes).
     */
    static byte[] wireBytes(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0xff) {
                out.write(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
                out.writeBytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        return out.toByteArray();
    }

    private static InvalidInputException notUtf8(String path) {
        return RelativePath.reject(path, "is not UTF-8 once percent-decoded");
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }

    /** The blob ids of an {@code If-None-Match} header ({@code "<blob>"}, weak or not, comma-separated). */
    private static Set<String> etags(String header) {
        Set<String> ids = new HashSet<>();
        if (header != null) {
            Arrays.stream(header.split(","))
                    .map(String::strip)
                    .map(t -> t.startsWith("W/") ? t.substring(2) : t)
                    .map(t -> t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")
                            ? t.substring(1, t.length() - 1)
                            : t)
                    .filter(t -> Inputs.COMMIT.matcher(t).matches())
                    .forEach(ids::add);
        }
        return ids;
    }

    private static int limit(String value) {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LOG) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidInputException(
                "INVALID_FIELD", "limit must be an integer 1-" + MAX_LOG + ", got '" + value + "'");
    }

    /**
     * The query parameters of a read; an unknown one is {@code 400 UNKNOWN_FIELD}, one given twice INVALID_FIELD. Values
     * are read from the query's bytes ({@link #wireBytes}) as UTF-8, so a raw UTF-8 value reads as its percent-encoded
     * form.
     */
    private record Query(Map<String, List<String>> latin1) {
        static Query of(RoutingContext ctx, String... allowed) {
            List<String> names = List.of(allowed);
            for (String name : ctx.queryParams().names()) {
                if (!names.contains(name)) {
                    throw new InvalidInputException(
                            "UNKNOWN_FIELD", "unknown query parameter '" + name + "'; allowed: " + names);
                }
                if (ctx.queryParams().getAll(name).size() > 1) {
                    throw new InvalidInputException("INVALID_FIELD", "query parameter '" + name + "' given twice");
                }
            }
            // percent-escapes decoded to one character per byte, as the raw bytes of the request line come
            return new Query(new QueryStringDecoder(ctx.request().uri(), StandardCharsets.ISO_8859_1).parameters());
        }

        Optional<String> value(String name) {
            return raw(name)
                    .map(v -> Utf8.decode(wireBytes(v))
                            .orElseThrow(() -> new InvalidInputException(
                                    "INVALID_FIELD",
                                    "query parameter '" + name + "' is not UTF-8 once percent-decoded")));
        }

        /** A path's value: not UTF-8 is {@code 400 INVALID_PATH}, as in a file's path. */
        Optional<String> path(String name) {
            return raw(name).map(v -> Utf8.decode(wireBytes(v)).orElseThrow(() -> notUtf8(v)));
        }

        private Optional<String> raw(String name) {
            List<String> values = latin1.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        Optional<ObjectId> commit(String name) {
            return value(name).map(v -> {
                if (!Inputs.COMMIT.matcher(v).matches()) {
                    throw new InvalidInputException(
                            "INVALID_COMMIT", name + " must be a full commit id (40 lower-case hex digits)");
                }
                return ObjectId.fromString(v);
            });
        }
    }
}
