package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes every route of the API (taken from the OpenAPI document, which OpenApiRoutesTest keeps equal to the router's
 * routes, so a new route is fuzzed without a change here) with malformed input generated from a fixed seed: bodies
 * that are not JSON or not UTF-8, JSON of the wrong type, each documented field with wrong types and out-of-range
 * values, unknown fields, deep nesting; bad path ids, query parameters and headers. Sent as raw bytes over a socket, so
 * nothing is cleaned up on the way. The rule it checks (docs/architecture.md, guarantee 8): never a 5xx (Redis is up
 * here), every 4xx is {@code {"error":{"code","message"}}}, a value outside its documented schema is a 400, and a 4xx
 * stores nothing (every Redis key, hash field and set member is the same before and after). Run with
 * {@code -Dkbsync.fuzz.seed=N} to try another seed; a failure prints the seed and each failing request.
 */
class ApiFuzzIT {
    private static final long SEED = Long.getLong("kbsync.fuzz.seed", 0x6b6273796e63L);
    /** Most cases per route: the whole run stays well under a minute. */
    private static final int MAX_CASES_PER_ROUTE = 160;

    private static final int TIMEOUT_MS = 15_000;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_READS_REFRESH_SECONDS", "3600"));

    @TempDir
    static Path dir;

    private static final OpenApiDocument doc = new OpenApiDocument();
    private static final Map<String, String> ids = new LinkedHashMap<>();

    @BeforeAll
    static void fixtures() throws Exception {
        Path remote = dir.resolve("fuzz.git");
        Git.init()
                .setBare(true)
                .setDirectory(remote.toFile())
                .setInitialBranch("main")
                .call()
                .close();
        try (Git work = Git.cloneRepository()
                .setURI(remote.toString())
                .setDirectory(dir.resolve("work").toFile())
                .call()) {
            work.getRepository().updateRef(Constants.HEAD).link("refs/heads/main");
            Files.createDirectories(dir.resolve("work/notes"));
            Files.writeString(dir.resolve("work/README.md"), "# Fuzz\n");
            Files.writeString(dir.resolve("work/notes/a.md"), "a note\n");
            work.add().addFilepattern(".").call();
            work.commit()
                    .setMessage("Add: fixtures")
                    .setAuthor("t", "t@example.com")
                    .setCommitter("t", "t@example.com")
                    .call();
            work.push().call();
        }
        for (String kb : List.of("fuzz", "fuzz-lease", "fuzz-put")) {
            JsonObject registered = api.call(
                            HttpMethod.PUT,
                            "/v1/kbs/" + kb,
                            ADMIN,
                            new JsonObject().put("remote", remote.toString()).put("branch", "main"))
                    .bodyAsJsonObject();
            assertThat(registered.getString("id")).isEqualTo(kb);
        }
        ids.put(
                "job",
                api.call(
                                HttpMethod.POST,
                                "/v1/kbs/fuzz/notes",
                                CLIENT,
                                new JsonObject().put("user", "fixture").put("text", "the fuzzed job"))
                        .bodyAsJsonObject()
                        .getString("id"));
        ids.put(
                "lease",
                api.call(
                                HttpMethod.POST,
                                "/v1/kbs/fuzz-lease/leases",
                                CLIENT,
                                new JsonObject().put("holder", "fixture"))
                        .bodyAsJsonObject()
                        .getString("id"));
        assertThat(api.call(HttpMethod.PUT, "/v1/workers/fuzz-worker", WORKER, presence())
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldAnswerEveryMalformedInputWithAClear4xxAndStoreNothing() throws Exception {
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Set<String> routes = doc.operations();
        int sent = 0;
        long started = System.nanoTime();
        Set<String> before = api.storedItems();
        for (String operation : routes) {
            List<Case> cases = cases(operation, new Random(random.nextLong()));
            for (Case c : cases) {
                Answer answer = send(c);
                sent++;
                Set<String> after = api.storedItems();
                Optional<String> wrong = judge(c, answer, before, after);
                wrong.ifPresent(
                        w -> failures.add(w + "\n    request: " + c.show() + "\n    answer:  " + answer.show()));
                before = after;
            }
        }
        System.out.printf(
                "ApiFuzzIT: seed %d, %d routes, %d requests in %d ms, %d failures%n",
                SEED, routes.size(), sent, (System.nanoTime() - started) / 1_000_000, failures.size());
        assertThat(failures)
                .as("seed " + SEED + " (-Dkbsync.fuzz.seed=" + SEED + "): " + failures.size() + " failing requests:\n"
                        + String.join("\n", failures.subList(0, Math.min(40, failures.size()))))
                .isEmpty();
    }

    // ---- the oracle ----

    /**
     * What the coordinator's sweep stores on its own while the fuzz runs (the leases and claims of valid cases lapse,
     * the next waiter is granted, a lapsed job goes back to its ready list or fails and joins the KB's recent jobs): left out of the "stored nothing" check,
     * which looks at what a request could add (KBs, jobs, tickets, queue entries, idempotency and duplicate keys,
     * rate-limit slots, workers, webhooks).
     */
    private static final Pattern MOVES_ON_ITS_OWN =
            Pattern.compile(":lock #|:ended |kbsync:ready|:stats|:alive |:lease #|:fence|:recent |:failures ");

    private static Optional<String> judge(Case c, Answer answer, Set<String> before, Set<String> after) {
        if (answer.failure() != null) {
            return Optional.of("no answer (" + answer.failure() + ")");
        }
        int status = answer.status();
        if (status >= 500) {
            return Optional.of("a " + status + " (Redis is up)");
        }
        if (c.must400() && status != 400) {
            return Optional.of("a value outside its documented schema answered " + status + ", not 400");
        }
        if (status >= 400) {
            String type = answer.header("content-type");
            if (type == null || !type.startsWith("application/json")) {
                return Optional.of("a " + status + " without a JSON body (Content-Type " + type + ")");
            }
            try {
                JsonObject error = new JsonObject(answer.body()).getJsonObject("error");
                if (!(error.getValue("code") instanceof String code)
                        || code.isBlank()
                        || !(error.getValue("message") instanceof String message)
                        || message.isBlank()) {
                    return Optional.of("a " + status + " without {\"error\":{\"code\",\"message\"}}");
                }
            } catch (RuntimeException e) {
                return Optional.of("a " + status + " without {\"error\":{\"code\",\"message\"}} (" + e + ")");
            }
            if (status == 401 && answer.header("www-authenticate") == null) {
                return Optional.of("a 401 without WWW-Authenticate");
            }
            Set<String> added = new TreeSet<>(after);
            added.removeAll(before);
            added.removeIf(item -> MOVES_ON_ITS_OWN.matcher(item).find());
            if (!added.isEmpty()) {
                return Optional.of("a " + status + " that stored " + added);
            }
        }
        return Optional.empty();
    }

    // ---- the cases ----

    /** One request: what it is, and whether the oracle demands a 400 (a value outside the documented schema). */
    record Case(String what, String method, String target, List<String[]> headers, byte[] body, boolean must400) {
        String show() {
            StringBuilder sb = new StringBuilder(what + ": " + method + " " + escape(target));
            for (String[] h : headers) {
                sb.append(" | ").append(h[0]).append(": ").append(escape(h[1]));
            }
            if (body != null) {
                sb.append(" | body ").append(escape(new String(body, StandardCharsets.UTF_8)));
            }
            return sb.toString();
        }
    }

    private static List<Case> cases(String operation, Random random) {
        String method = operation.substring(0, operation.indexOf(' '));
        String template = operation.substring(operation.indexOf(' ') + 1);
        JsonObject op = doc.json()
                .getJsonObject("paths")
                .getJsonObject(template)
                .getJsonObject(method.toLowerCase(Locale.ROOT));
        Route route = new Route(method, template, op, token(op.getString("x-kbsync-role"), template));
        List<Case> cases = new ArrayList<>();
        cases.addAll(pathCases(route));
        cases.addAll(queryCases(route));
        cases.addAll(headerCases(route));
        if (route.body() != null) {
            cases.addAll(bodyCases(route, random));
        }
        java.util.Collections.shuffle(cases, random);
        return cases.subList(0, Math.min(MAX_CASES_PER_ROUTE, cases.size()));
    }

    /** A route with the token of its role and a valid request to mutate one thing of at a time. */
    record Route(String method, String template, JsonObject op, String token) {
        String path(Map<String, String> params) {
            String path = template;
            for (Map.Entry<String, String> p : params.entrySet()) {
                path = path.replace("{" + p.getKey() + "}", p.getValue());
            }
            return path;
        }

        Map<String, String> params() {
            Map<String, String> params = new LinkedHashMap<>();
            if (template.contains("{kb}")) {
                params.put(
                        "kb",
                        template.endsWith("/leases")
                                ? "fuzz-lease"
                                : template.equals("/v1/kbs/{kb}") ? "fuzz-put" : "fuzz");
            }
            if (template.contains("{id}")) {
                params.put("id", template.startsWith("/v1/jobs") ? ids.get("job") : ids.get("lease"));
            }
            if (template.contains("{workerId}")) {
                params.put("workerId", "fuzz-worker");
            }
            if (template.contains("{path}")) {
                params.put("path", "notes/a.md");
            }
            return params;
        }

        /** The request schema's $ref, or null for a route without a body. */
        String body() {
            JsonObject request = op.getJsonObject("requestBody");
            return request == null
                    ? null
                    : request.getJsonObject("content")
                            .getJsonObject("application/json")
                            .getJsonObject("schema")
                            .getString("$ref");
        }

        List<JsonObject> parameters(String in) {
            List<JsonObject> found = new ArrayList<>();
            for (Object p : op.getJsonArray("parameters", new JsonArray())) {
                if (((JsonObject) p).getString("in").equals(in)) {
                    found.add((JsonObject) p);
                }
            }
            return found;
        }

        boolean stream() {
            return template.endsWith("/events") || template.endsWith("/channel");
        }
    }

    private static String token(String role, String template) {
        return switch (role) {
            case "public" -> null;
            case "worker" -> WORKER;
            case "admin" -> ADMIN;
            default -> CLIENT;
        };
    }

    private static List<String[]> auth(String token) {
        List<String[]> headers = new ArrayList<>();
        if (token != null) {
            headers.add(new String[] {"Authorization", "Bearer " + token});
        }
        return headers;
    }

    /** A valid body of the route (one that passes every check), as bytes; null for a route without one. */
    private static byte[] validBody(Route route) {
        JsonObject body = validJson(route);
        return body == null ? null : body.encode().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject validJson(Route route) {
        String schema = route.body();
        if (schema == null) {
            return null;
        }
        return switch (schema.substring(schema.lastIndexOf('/') + 1)) {
            case "NoteRequest" -> new JsonObject().put("user", "fuzzer").put("text", "a fuzzed note");
            case "AgentTaskRequest" -> new JsonObject().put("user", "fuzzer").put("task", "a fuzzed task");
            case "ResultRequest" ->
                new JsonObject()
                        .put("leaseId", "fuzz~not-a-lease")
                        .put("state", "done")
                        .put("pushRejections", 0)
                        .put(
                                "files",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("path", "notes/a.md")
                                                .put("change", "edited")
                                                .put("url", "https://example.com/a")));
            case "WorkerPresence" -> presence();
            case "PollRequest" -> new JsonObject().put("waitMs", 0).put("presence", presence());
            case "ExtendRequest" -> new JsonObject().put("max", 1);
            case "HeartbeatRequest" -> new JsonObject().put("doing", "running the agent");
            case "GiveBackRequest" -> new JsonObject().put("leaseId", "fuzz~not-a-lease.1.a1");
            case "KbRequest" ->
                new JsonObject()
                        .put("remote", dir.resolve("fuzz.git").toString())
                        .put("branch", "main")
                        .put("dedupeWindowSeconds", 0);
            case "LeaseRequest" ->
                new JsonObject().put("holder", "fuzzer").put("ttlMs", 1000).put("waitMs", 0);
            default -> throw new AssertionError("no valid body of " + schema + ": add one to ApiFuzzIT");
        };
    }

    private static JsonObject presence() {
        return new JsonObject()
                .put("host", "fuzz-host")
                .put("version", "1.0")
                .put("slots", 2)
                .put("idleSlots", 1)
                .put("draining", false)
                .put(
                        "running",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("slot", 1)
                                        .put("kb", "fuzz")
                                        .put("jobId", "fuzz~1")
                                        .put("since", "2026-11-29T07:00:05Z")))
                .put(
                        "checkouts",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("kb", "fuzz")
                                        .put("commit", "9d1e0c4")
                                        .put("at", "2026-11-29T07:00:00Z")))
                .put("startedAt", "2026-11-29T06:00:00Z")
                .put("kinds", new JsonArray().add("note"));
    }

    /** Bad values of each path parameter. */
    private static List<Case> pathCases(Route route) {
        List<Case> cases = new ArrayList<>();
        List<String> bad = new ArrayList<>(List.of(
                "",
                "%2F",
                "a%2Fb",
                "..",
                ".",
                "%2E%2E",
                "%2e",
                "a".repeat(200),
                "A".repeat(65),
                "\u00fc",
                "%C3%BC",
                "%FF",
                "%00",
                "a%20b",
                "%0A",
                "-x",
                "Bad!",
                "a%3Fb",
                "%25",
                "a;b",
                "~",
                "a..b",
                "%E2%80%AE"));
        for (String name : route.params().keySet()) {
            List<String> values = new ArrayList<>(bad);
            if (name.equals("path")) {
                values.addAll(List.of(
                        "../README.md",
                        "%2e%2e/README.md",
                        ".git/config",
                        ".GIT/HEAD",
                        "a//b",
                        "a%5Cb",
                        "notes/",
                        "notes%2Fa.md",
                        "/etc/passwd",
                        "con.md",
                        "x".repeat(300) + ".md",
                        "notes/a.md%00"));
            }
            for (String value : values) {
                Map<String, String> params = route.params();
                params.put(name, value);
                cases.add(new Case(
                        "path " + name,
                        route.method(),
                        route.path(params),
                        auth(route.token()),
                        validBody(route),
                        false));
            }
        }
        return cases;
    }

    /** Unknown, repeated and malformed query parameters, and values outside each documented one's schema. */
    private static List<Case> queryCases(Route route) {
        List<Case> cases = new ArrayList<>();
        String path = route.path(route.params());
        for (String query : List.of(
                "unknown=1", "=1", "%zz=1", "a=%zz", "&&", "?", "x=" + "q".repeat(3000), "\u00fc=\u00fc", "a=b=c")) {
            cases.add(new Case(
                    "query", route.method(), path + "?" + query, auth(route.token()), validBody(route), false));
        }
        for (JsonObject p : route.parameters("query")) {
            String name = p.getString("name");
            JsonObject schema = p.getJsonObject("schema");
            List<String> values = new ArrayList<>(List.of(
                    "",
                    "-1",
                    "0",
                    "1e3",
                    "99999999999999999999",
                    "abc",
                    "\u00fc",
                    "%00",
                    "a%2Cb",
                    "QUEUED",
                    "Bad!",
                    "x".repeat(300),
                    "g".repeat(40),
                    "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
                    ",,",
                    "../x"));
            if (name.equals("job")) {
                StringBuilder many = new StringBuilder();
                for (int i = 0; i < 101; i++) {
                    many.append(i == 0 ? "" : ",").append("job-").append(i);
                }
                values.add(many.toString());
            }
            for (String value : values) {
                if (name.equals("access_token") && value.isEmpty()) {
                    continue;
                }
                String decoded = decodeForSchema(value);
                boolean violates = decoded != null && violatesQuery(schema, decoded);
                cases.add(new Case(
                        "query " + name,
                        route.method(),
                        path + "?" + name + "=" + value,
                        auth(route.token()),
                        validBody(route),
                        violates && !route.stream()));
                cases.add(new Case(
                        "query " + name + " twice",
                        route.method(),
                        path + "?" + name + "=" + value + "&" + name + "=" + value,
                        auth(route.token()),
                        validBody(route),
                        false));
            }
            cases.add(new Case(
                    "query " + name + " bare",
                    route.method(),
                    path + "?" + name,
                    auth(route.token()),
                    validBody(route),
                    false));
        }
        return cases;
    }

    /** The query value as the server decodes it, or null when the oracle should not judge it. */
    private static String decodeForSchema(String value) {
        return value.contains("%") ? null : value;
    }

    private static boolean violatesQuery(JsonObject schema, String value) {
        if (schema.containsKey("enum")) {
            return !schema.getJsonArray("enum").contains(value);
        }
        if ("integer".equals(schema.getString("type"))) {
            try {
                long n = Long.parseLong(value);
                return (schema.containsKey("minimum") && n < schema.getLong("minimum"))
                        || (schema.containsKey("maximum") && n > schema.getLong("maximum"));
            } catch (NumberFormatException e) {
                return true;
            }
        }
        return schema.containsKey("pattern")
                && !Pattern.compile(schema.getString("pattern")).matcher(value).find();
    }

    /** Authorization, Content-Type, Content-Encoding, Prefer, Idempotency-Key, Last-Event-ID and other headers. */
    private static List<Case> headerCases(Route route) {
        List<Case> cases = new ArrayList<>();
        String path = route.path(route.params());
        byte[] body = validBody(route);
        String token = route.token() == null ? CLIENT : route.token();
        List<List<String[]>> auths = List.of(
                List.<String[]>of(),
                List.<String[]>of(h("Authorization", "Bearer")),
                List.<String[]>of(h("Authorization", "Bearer ")),
                List.<String[]>of(h("Authorization", "Basic Zm9vOmJhcg==")),
                List.<String[]>of(h("Authorization", "Bearer " + token + "x")),
                List.<String[]>of(h("Authorization", "bearer " + token)),
                List.<String[]>of(h("Authorization", "Bearer  " + token)),
                List.<String[]>of(h("Authorization", "Bearer " + token), h("Authorization", "Bearer other-token")),
                List.<String[]>of(h("Authorization", "Bearer " + "t".repeat(4000))),
                List.<String[]>of(h("Authorization", "Bearer t\u00f6k\u00e9n")),
                List.<String[]>of(h("Authorization", "Bearer \u0001")),
                List.<String[]>of(h("Authorization", "Bearer " + WORKER)),
                List.<String[]>of(h("Authorization", "Bearer " + CLIENT)),
                List.<String[]>of(h("Authorization", "Bearer sha256:" + "0".repeat(64))));
        for (List<String[]> a : auths) {
            cases.add(new Case("auth", route.method(), path, new ArrayList<>(a), body, false));
        }
        List<String[]> others = List.of(
                h("Prefer", "return=minimal"),
                h("Prefer", "return=\"minimal"),
                h("Prefer", "\"\"\";;;,,,="),
                h("Prefer", "return=minimal; " + "x".repeat(3000)),
                h("Idempotency-Key", ""),
                h("Idempotency-Key", " "),
                h("Idempotency-Key", "has space"),
                h("Idempotency-Key", "k".repeat(129)),
                h("Idempotency-Key", "\u00fcml\u00e4ut"),
                h("Idempotency-Key", "a/b"),
                h("Last-Event-ID", "x"),
                h("Last-Event-ID", "\u00ff\u00fe"),
                h("Last-Event-ID", "-1"),
                h("If-None-Match", "\"" + "z".repeat(40) + "\", W/\"x"),
                h("If-None-Match", "*"),
                h("Accept", "application/xml"),
                h("Accept-Encoding", "gzip;q=abc"),
                h("Range", "bytes=5-1"),
                h("Expect", "100-continue"),
                h("Expect", "200-ok"),
                h("Upgrade", "websocket"),
                h("Connection", "Upgrade"),
                h("X-Forwarded-For", "\u0000"));
        for (String[] header : others) {
            List<String[]> headers = body == null ? auth(route.token()) : json(route);
            headers.add(header);
            boolean badKey = header[0].equals("Idempotency-Key")
                    && route.template().matches("/v1/kbs/\\{kb}/(notes|agent-tasks)");
            cases.add(new Case("header " + header[0], route.method(), path, headers, body, badKey));
        }
        List<String> types = List.of(
                "",
                "text/plain",
                "application/json; charset=latin1",
                "APPLICATION/JSON",
                "application/jsonx",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "application/json;;;",
                "*/*",
                "\u00e4/\u00f6");
        for (String type : types) {
            List<String[]> headers = auth(route.token());
            headers.add(h("Content-Type", type));
            cases.add(
                    new Case("content type", route.method(), path, headers, body == null ? new byte[0] : body, false));
        }
        for (String encoding : List.of("gzip", "br", "identity, gzip", "IDENTITY", "x")) {
            List<String[]> headers = auth(route.token());
            headers.add(h("Content-Type", "application/json"));
            headers.add(h("Content-Encoding", encoding));
            cases.add(new Case("content encoding", route.method(), path, headers, body, false));
        }
        return cases;
    }

    private static String[] h(String name, String value) {
        return new String[] {name, value};
    }

    /** Bodies that are not JSON objects, and each field of the valid body with values of every wrong kind. */
    private static List<Case> bodyCases(Route route, Random random) {
        List<Case> cases = new ArrayList<>();
        String path = route.path(route.params());
        JsonObject valid = validJson(route);
        List<byte[]> bodies = new ArrayList<>();
        for (String raw : List.of(
                "",
                " ",
                "{",
                "}",
                "{\"a\"",
                "not json",
                "[]",
                "[{}]",
                "\"a string\"",
                "42",
                "1e400",
                "null",
                "true",
                "{}",
                "{\"\":1}",
                "{}{}",
                "{} trailing",
                "\ufeff{}",
                "{'user':'x'}",
                "{\"user\":\"x\",}",
                "{\"a\":NaN}",
                "{\"a\":Infinity}",
                "{\"a\":01}",
                "{\"a\":\"\\u00\"}",
                "{\"a\":\"\\ud800\"}",
                "{\"a\":\"\u0000\"}",
                "/*c*/{}")) {
            bodies.add(raw.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'});
        bodies.add(new byte[] {(byte) 0xc3, (byte) 0x28});
        bodies.add(("[".repeat(1000) + "]".repeat(1000)).getBytes(StandardCharsets.UTF_8));
        bodies.add(("{\"a\":" + "[".repeat(1010) + "]".repeat(1010) + "}").getBytes(StandardCharsets.UTF_8));
        bodies.add(("{\"a\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8)); // over the body limit
        for (int i = 0; i < 6; i++) { // random bytes
            byte[] bytes = new byte[1 + random.nextInt(200)];
            random.nextBytes(bytes);
            bodies.add(bytes);
        }
        for (int i = 0; i < 6; i++) { // the valid body with one byte changed
            byte[] bytes = valid.encode().getBytes(StandardCharsets.UTF_8);
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            bodies.add(bytes);
        }
        for (byte[] b : bodies) {
            cases.add(new Case("body", route.method(), path, json(route), b, false));
        }
        // unknown fields, at the top and in nested objects
        for (String name : List.of("extra", "", "USER", "user ", "__proto__", "\u00fc")) {
            cases.add(bodyCase(route, "unknown field", valid.copy().put(name, 1), true));
        }
        JsonObject schema = resolve(route.body());
        JsonObject properties = properties(schema);
        for (String field : valid.fieldNames()) {
            JsonObject fieldSchema = resolve(properties.getJsonObject(field));
            for (Object value : wrongValues(random, field)) {
                JsonObject mutated = valid.copy().put(field, value);
                boolean absent = value == null && !required(schema).contains(field); // null: as if not sent
                cases.add(bodyCase(route, "field " + field, mutated, !absent && violates(fieldSchema, value)));
            }
            if (required(schema).contains(field)) {
                JsonObject missing = valid.copy();
                missing.remove(field);
                cases.add(bodyCase(route, "missing " + field, missing, true));
            }
            Object inner = valid.getValue(field);
            // one level in: the fields of a nested object (presence) and of an array's first element (running, files)
            JsonObject nested = inner instanceof JsonObject o
                    ? o
                    : inner instanceof JsonArray a && !a.isEmpty() && a.getValue(0) instanceof JsonObject o2
                            ? o2
                            : null;
            if (nested == null) {
                continue;
            }
            JsonObject nestedSchema = inner instanceof JsonObject
                    ? fieldSchema
                    : resolve(fieldSchema.getJsonObject("items", new JsonObject()));
            JsonObject nestedProperties = properties(nestedSchema);
            for (String sub : nested.fieldNames()) {
                JsonObject subSchema = resolve(nestedProperties.getJsonObject(sub));
                List<Object> values = wrongValues(random, sub);
                for (Object value : values.subList(0, Math.min(12, values.size()))) {
                    JsonObject mutated = valid.copy();
                    JsonObject element = nested.copy().put(sub, value);
                    mutated.put(field, inner instanceof JsonObject ? element : new JsonArray().add(element));
                    boolean absent = value == null && !required(nestedSchema).contains(sub);
                    cases.add(bodyCase(
                            route, "field " + field + "." + sub, mutated, !absent && violates(subSchema, value)));
                }
                JsonObject mutated = valid.copy();
                JsonObject element = nested.copy().put("extra", true);
                mutated.put(field, inner instanceof JsonObject ? element : new JsonArray().add(element));
                cases.add(bodyCase(route, "unknown field " + field + ".extra", mutated, true));
            }
        }
        return cases;
    }

    private static Case bodyCase(Route route, String what, JsonObject body, boolean must400) {
        return new Case(
                what,
                route.method(),
                route.path(route.params()),
                json(route),
                body.encode().getBytes(StandardCharsets.UTF_8),
                must400);
    }

    private static List<String[]> json(Route route) {
        List<String[]> headers = auth(route.token());
        headers.add(h("Content-Type", "application/json"));
        return headers;
    }

    /** Values of every JSON kind a field could wrongly get; positive waits are left out (they are valid, and wait). */
    private static List<Object> wrongValues(Random random, String field) {
        List<Object> values = new ArrayList<>();
        if (!field.equals("waitMs")) { // null is as if not sent: the default wait
            values.add(null);
        }
        values.add(true);
        values.add(0);
        values.add(-1);
        values.add(1.5);
        values.add(-0.0);
        values.add(new java.math.BigDecimal("1e400"));
        values.add(new java.math.BigDecimal("-1e400"));
        values.add(new java.math.BigInteger("9223372036854775808"));
        values.add(new java.math.BigInteger("-9223372036854775809"));
        values.add(Long.MIN_VALUE);
        values.add(-2147483649L);
        values.add(-4294967296L);
        if (!field.equals("waitMs")) {
            values.add(2147483648L);
            values.add(Long.MAX_VALUE);
            values.add(4294967296L);
        }
        values.add("");
        values.add(" ");
        values.add("x".repeat(1200));
        values.add("\u0000\u0007\u001b[31m");
        values.add("\u00fcn\u00efc\u00f6d\u00e9 \ud83c\udf89");
        values.add("\ud800");
        values.add("../../etc/passwd");
        values.add("1");
        values.add("null");
        values.add(new JsonArray());
        values.add(new JsonArray().add(1).add("a").addNull());
        values.add(new JsonObject());
        values.add(new JsonObject().put("a", new JsonObject().put("b", new JsonArray().add(new JsonObject()))));
        StringBuilder randomText = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            randomText.appendCodePoint(random.nextInt(0x2FFFF) + 1);
        }
        values.add(randomText.toString());
        return values;
    }

    // ---- the schema, enough of it to say that a value is outside it ----

    private static JsonObject resolve(Object schemaOrRef) {
        if (schemaOrRef instanceof String ref) {
            return resolve(new JsonObject().put("$ref", ref));
        }
        JsonObject schema = (JsonObject) schemaOrRef;
        if (schema == null) {
            return new JsonObject();
        }
        while (schema.containsKey("$ref")) {
            JsonObject node = doc.json();
            for (String part : schema.getString("$ref").substring(2).split("/")) {
                node = node.getJsonObject(part);
            }
            JsonObject merged = node.copy();
            schema.forEach(e -> {
                if (!e.getKey().equals("$ref")) {
                    merged.put(e.getKey(), e.getValue());
                }
            });
            schema = merged;
        }
        return schema;
    }

    private static JsonObject properties(JsonObject schema) {
        return schema.getJsonObject("properties", new JsonObject());
    }

    private static List<String> required(JsonObject schema) {
        List<String> required = new ArrayList<>();
        schema.getJsonArray("required", new JsonArray()).forEach(r -> required.add((String) r));
        return required;
    }

    /** Whether {@code value} is outside {@code schema} for sure (type, enum, bounds, length, pattern). */
    private static boolean violates(JsonObject schema, Object value) {
        if (schema.containsKey("enum")) {
            return !schema.getJsonArray("enum").contains(value);
        }
        Object type = schema.getValue("type");
        if (type == null) {
            return false;
        }
        List<String> types = new ArrayList<>();
        if (type instanceof JsonArray many) {
            many.forEach(t -> types.add((String) t));
        } else {
            types.add((String) type);
        }
        String kind = kind(value);
        boolean fits = types.contains(kind) || (kind.equals("integer") && types.contains("number"));
        if (!fits) {
            return true;
        }
        if (kind.equals("integer")) {
            java.math.BigInteger n = new java.math.BigDecimal(value.toString()).toBigIntegerExact();
            return (schema.containsKey("minimum")
                            && n.compareTo(java.math.BigInteger.valueOf(schema.getLong("minimum"))) < 0)
                    || (schema.containsKey("maximum")
                            && n.compareTo(java.math.BigInteger.valueOf(schema.getLong("maximum"))) > 0);
        }
        if (kind.equals("string")) {
            String s = (String) value;
            int length = s.codePointCount(0, s.length());
            return (schema.containsKey("maxLength") && length > schema.getInteger("maxLength"))
                    || (schema.containsKey("minLength") && length < schema.getInteger("minLength"))
                    || (schema.containsKey("pattern")
                            && !Pattern.compile(schema.getString("pattern"))
                                    .matcher(s)
                                    .find());
        }
        if (kind.equals("array")) {
            int size = ((JsonArray) value).size();
            return (schema.containsKey("minItems") && size < schema.getInteger("minItems"))
                    || (schema.containsKey("items")
                            && ((JsonArray) value)
                                    .stream().anyMatch(v -> violates(resolve(schema.getJsonObject("items")), v)));
        }
        if (kind.equals("object")) {
            JsonObject object = (JsonObject) value;
            boolean closed = Boolean.FALSE.equals(schema.getValue("additionalProperties"))
                    || Boolean.FALSE.equals(schema.getValue("unevaluatedProperties"));
            return required(schema).stream().anyMatch(r -> !object.containsKey(r))
                    || (closed
                            && object.fieldNames().stream()
                                    .anyMatch(f -> !properties(schema).containsKey(f)));
        }
        return false;
    }

    private static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
            return "integer";
        }
        if (value instanceof Number) {
            return "number";
        }
        if (value instanceof String) {
            return "string";
        }
        return value instanceof JsonArray ? "array" : "object";
    }

    // ---- a raw HTTP/1.1 exchange ----

    record Answer(int status, Map<String, String> headers, String body, String failure) {
        String header(String name) {
            return headers.get(name);
        }

        String show() {
            return failure != null ? failure : status + " " + headers.get("content-type") + " " + escape(body);
        }
    }

    private static Answer send(Case c) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(c.method() + " " + c.target() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String[] header : c.headers()) {
            head.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        if (c.body() != null) {
            head.append("Content-Length: ").append(c.body().length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        request.write(head.toString().getBytes(StandardCharsets.UTF_8));
        if (c.body() != null) {
            request.write(c.body());
        }
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
            while (!endsWithBlankLine(headBytes)
                    || headBytes.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 100 ")) {
                if (endsWithBlankLine(headBytes)) {
                    headBytes.reset(); // 100 Continue: the answer follows
                }
                int b = in.read();
                if (b < 0) {
                    return new Answer(0, Map.of(), "", "the connection closed without an answer");
                }
                headBytes.write(b);
            }
            String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String type = headers.getOrDefault("content-type", "");
            if (status == 101
                    || type.startsWith("text/event-stream")
                    || c.method().equals("HEAD")
                    || status == 304
                    || status == 204) {
                return new Answer(status, headers, "", null); // a stream (or nothing) follows: not read
            }
            byte[] body;
            if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = unchunk(in);
            } else {
                body = in.readAllBytes();
            }
            return new Answer(status, headers, new String(body, StandardCharsets.UTF_8), null);
        } catch (SocketTimeoutException e) {
            return new Answer(0, Map.of(), "", "no answer within " + TIMEOUT_MS + " ms (a hang)");
        } catch (IOException e) {
            return new Answer(0, Map.of(), "", "the connection failed: " + e);
        }
    }

    private static boolean endsWithBlankLine(ByteArrayOutputStream bytes) {
        byte[] b = bytes.toByteArray();
        int n = b.length;
        return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }

    private static byte[] unchunk(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            StringBuilder size = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                size.append((char) b);
            }
            int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
            if (n == 0) {
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            in.readNBytes(2);
        }
    }

    private static String escape(String text) {
        String shown = text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
        StringBuilder sb = new StringBuilder();
        shown.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffd) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }
}
