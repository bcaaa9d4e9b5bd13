package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real answers of every route of a coordinator on the real engine, each checked against the OpenAPI document: its
 * status documented, its body fitting the documented schema (event streams: the first event's data), and every request
 * body sent fitting the request schema. Ends by checking that every documented operation was exercised: a new route
 * must be added here (and documented) before this passes.
 */
class OpenApiContractIT {
    /** A client token scoped to KBs none of the fixture's KBs is in. */
    private static final String SCOPED = "team-a-bot-token-0001";

    @RegisterExtension
    static final ApiFixture api =
            new ApiFixture(Map.of("KBSYNC_LEASE_TTL_SECONDS", "10", "KBSYNC_TOKENS", ""), """
            auth:
              tokens:
                - {token: %s, role: admin}
                - {token: %s, role: worker}
                - {token: %s, role: client}
                - {token: %s, role: client, name: team-a-bot, kbs: ["team-a-*"]}
            """.formatted(
                            ADMIN, WORKER, CLIENT, SCOPED));

    private final OpenApiDocument openApi = new OpenApiDocument();

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryDocumentedOperationAsDocumented() throws Exception {
        call(GET, "/healthz", "/healthz", null, null, 200);
        call(GET, "/readyz", "/readyz", null, null, 200);
        call(GET, "/metrics", "/metrics", ADMIN, null, 200);
        call(GET, "/", "/", null, null, 200);
        call(GET, "/v1/openapi.json", "/v1/openapi.json", null, null, 200);

        String kb = "/v1/kbs/{kb}";
        call(
                PUT,
                kb,
                "/v1/kbs/team",
                ADMIN,
                new JsonObject().put("remote", "/srv/git/team.git").put("branch", "main"),
                200);
        registerWithEachFormOfCredentials(kb);
        call(GET, "/v1/kbs", "/v1/kbs", CLIENT, null, 200);
        call(GET, kb + "/queue", "/v1/kbs/team/queue", CLIENT, null, 200);
        JsonObject note = call(POST, kb + "/notes", "/v1/kbs/team/notes", CLIENT, note("u1"), 202);
        JsonObject agent = call(
                POST,
                kb + "/agent-tasks",
                "/v1/kbs/team/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "u2").put("task", "tidy up"),
                202);
        call(GET, "/v1/jobs/{id}", "/v1/jobs/" + note.getString("id"), CLIENT, null, 200);
        stream("/v1/jobs/{id}/events", "/v1/jobs/" + note.getString("id") + "/events");
        stream(kb + "/events", "/v1/kbs/team/events");
        stream("/v1/events", "/v1/events");
        stream("/v1/events", "/v1/events?job=" + note.getString("id") + "," + agent.getString("id"));
        stream("/v1/events", "/v1/events?user=u1");

        JsonObject presence = WorkersApiIT.presence();
        call(PUT, "/v1/workers/{workerId}", "/v1/workers/w-1", WORKER, presence, 200);
        call(GET, "/v1/workers", "/v1/workers", CLIENT, null, 200);
        call(GET, "/v1/whoami", "/v1/whoami", CLIENT, null, 200);
        String poll = "/v1/workers/{workerId}/poll";
        JsonObject first = call(
                POST,
                poll,
                "/v1/workers/w-1/poll",
                WORKER,
                new JsonObject().put("waitMs", 5000).put("presence", presence),
                200);
        String lease = first.getJsonObject("lease").getString("id");
        call(
                POST,
                "/v1/leases/{id}/extend",
                "/v1/leases/" + lease + "/extend",
                WORKER,
                new JsonObject().put("max", 4),
                200);
        call(POST, "/v1/leases/{id}/heartbeat", "/v1/leases/" + lease + "/heartbeat", WORKER, null, 200);
        call(
                POST,
                "/v1/leases/{id}/heartbeat",
                "/v1/leases/" + lease + "/heartbeat",
                WORKER,
                new JsonObject().put("doing", "writing the note"),
                200);
        assertThat(call(GET, "/v1/jobs/{id}", "/v1/jobs/" + note.getString("id"), CLIENT, null, 200)
                        .getString("doing"))
                .isEqualTo("writing the note");
        String result = "/v1/jobs/{id}/result";
        call(POST, result, "/v1/jobs/" + note.getString("id") + "/result", WORKER, done(lease), 200);
        JsonObject given = call(POST, poll, "/v1/workers/w-1/poll", WORKER, new JsonObject().put("waitMs", 5000), 200);
        assertThat(given.getJsonObject("job").getString("id")).isEqualTo(agent.getString("id"));
        JsonObject back = call(
                POST,
                "/v1/workers/{workerId}/give-back",
                "/v1/workers/w-1/give-back",
                WORKER,
                new JsonObject().put("leaseId", given.getJsonObject("lease").getString("id")),
                200);
        assertThat(back.getBoolean("givenBack")).isTrue();
        JsonObject second = call(POST, poll, "/v1/workers/w-1/poll", WORKER, new JsonObject().put("waitMs", 5000), 200);
        assertThat(second.getJsonObject("job").getString("id")).isEqualTo(agent.getString("id"));
        JsonObject failed = new JsonObject()
                .put("leaseId", second.getJsonObject("lease").getString("id"))
                .put("state", "failed")
                .put("error", new JsonObject().put("code", "AGENT_FAILED").put("message", "exit 1"));
        call(POST, result, "/v1/jobs/" + agent.getString("id") + "/result", WORKER, failed, 200);
        call(POST, poll, "/v1/workers/w-1/poll", WORKER, new JsonObject().put("waitMs", 0), 204);
        call(GET, kb + "/recent-jobs", "/v1/kbs/team/recent-jobs", CLIENT, null, 200);
        JsonObject doomed = call(
                POST, kb + "/notes", "/v1/kbs/team/notes", CLIENT, note("u3"), 202, Map.of("Prefer", "return=minimal"));
        assertThat(doomed.containsKey("payload")).as("a receipt").isFalse();
        call(DELETE, "/v1/jobs/{id}", "/v1/jobs/" + doomed.getString("id"), CLIENT, null, 200);
        call(DELETE, "/v1/jobs/{id}", "/v1/jobs/" + doomed.getString("id"), CLIENT, null, 409);
        String retry = "/v1/jobs/{id}/retry";
        JsonObject again = call(POST, retry, "/v1/jobs/" + doomed.getString("id") + "/retry", CLIENT, null, 202);
        assertThat(again.getString("retryOf")).isEqualTo(doomed.getString("id"));
        call(DELETE, "/v1/jobs/{id}", "/v1/jobs/" + again.getString("id"), CLIENT, null, 200);
        call(POST, retry, "/v1/jobs/" + note.getString("id") + "/retry", CLIENT, null, 409);
        call(GET, "/v1/jobs", "/v1/jobs?kb=team&limit=2", CLIENT, null, 200);
        call(GET, "/v1/jobs", "/v1/jobs?limit=0", CLIENT, null, 400);

        JsonObject raw = call(
                POST,
                kb + "/leases",
                "/v1/kbs/team/leases",
                CLIENT,
                new JsonObject().put("holder", "script").put("waitMs", 1000),
                202);
        String leasePath = "/v1/leases/" + raw.getString("id");
        call(GET, "/v1/leases/{id}", leasePath, CLIENT, null, 200);
        call(GET, "/v1/leases/channel", "/v1/leases/channel", CLIENT, null, 426); // LeaseChannelApiIT opens one
        stream("/v1/leases/{id}/events", leasePath + "/events");
        call(DELETE, "/v1/leases/{id}", leasePath, CLIENT, null, 200);
        call(POST, "/v1/admin/kbs/{kb}/force-release", "/v1/admin/kbs/team/force-release", ADMIN, null, 200);

        Path remote = remoteWithANote();
        call(
                PUT,
                kb,
                "/v1/kbs/docs",
                ADMIN,
                new JsonObject().put("remote", remote.toString()).put("branch", "main"),
                200);
        call(GET, kb + "/files/{path}", "/v1/kbs/docs/files/notes/standup.md", CLIENT, null, 200);
        call(GET, kb + "/tree", "/v1/kbs/docs/tree?prefix=notes/", CLIENT, null, 200);
        call(GET, kb + "/log", "/v1/kbs/docs/log?path=notes/standup.md&limit=5", CLIENT, null, 200);
        call(GET, kb + "/files/{path}", "/v1/kbs/docs/files/notes/nope.md", CLIENT, null, 404);
        call(GET, kb + "/files/{path}", "/v1/kbs/docs/files/.git/config", CLIENT, null, 400);
        call(
                PUT,
                kb,
                "/v1/kbs/brief",
                ADMIN,
                new JsonObject().put("remote", remote.toString()).put("branch", "main"),
                200);
        call(DELETE, kb, "/v1/kbs/brief", ADMIN, null, 204);
        call(DELETE, kb, "/v1/kbs/brief", ADMIN, null, 404);

        // Error answers fit the documented error schema too.
        call(GET, "/v1/jobs/{id}", "/v1/jobs/nope", CLIENT, null, 404);
        call(GET, kb + "/recent-jobs", "/v1/kbs/nope/recent-jobs", CLIENT, null, 404);
        call(GET, "/v1/kbs", "/v1/kbs", null, null, 401);
        call(PUT, kb, "/v1/kbs/team", CLIENT, new JsonObject().put("remote", "/srv/x.git"), 403);
        call(POST, kb + "/notes", "/v1/kbs/team/notes", CLIENT, new JsonObject().put("user", "u1"), 400);
        call(POST, result, "/v1/jobs/" + note.getString("id") + "/result", WORKER, done(lease + "x"), 409);

        assertThat(openApi.checked())
                .as("every documented operation was exercised")
                .isEqualTo(openApi.operations());
    }

    /**
     * Refusals the server gives that the walk above does not meet, each documented on its operation: a KB-scoped token
     * outside its KBs, bodies refused before they are read, a WebSocket handshake without its key, and an expectation
     * other than 100-continue on every operation that reads a body.
     */
    @Test
    void shouldDocumentTheRefusalsEachOperationGives() {
        String kb = "/v1/kbs/{kb}";
        call(GET, kb + "/queue", "/v1/kbs/demo/queue", SCOPED, null, 403);
        call(GET, kb + "/recent-jobs", "/v1/kbs/demo/recent-jobs", SCOPED, null, 403);
        call(GET, kb + "/events", "/v1/kbs/demo/events", SCOPED, null, 403);
        call(GET, "/metrics", "/metrics", SCOPED, null, 403);

        String heartbeat = "/v1/leases/{id}/heartbeat";
        check(
                POST,
                heartbeat,
                415,
                api.request(POST, "/v1/leases/demo~x/heartbeat", WORKER)
                        .putHeader("Content-Type", "text/plain")
                        .sendBuffer(Buffer.buffer("doing things"))
                        .await());
        call(
                POST,
                heartbeat,
                "/v1/leases/demo~x/heartbeat",
                WORKER,
                new JsonObject().put("doing", "x".repeat(3000)),
                413);

        check(
                GET,
                "/v1/leases/channel",
                400,
                api.request(GET, "/v1/leases/channel", CLIENT)
                        .putHeader("Upgrade", "websocket")
                        .putHeader("Connection", "Upgrade")
                        .putHeader("Sec-WebSocket-Version", "13")
                        .send()
                        .await());

        JsonObject paths = openApi.json().getJsonObject("paths");
        for (String template : paths.fieldNames()) {
            for (String method : paths.getJsonObject(template).fieldNames()) {
                if (paths.getJsonObject(template).getJsonObject(method).containsKey("requestBody")) {
                    String path = template.replace("{kb}", "demo")
                            .replace("{id}", "demo~x")
                            .replace("{workerId}", "w-1");
                    call(
                            HttpMethod.valueOf(method.toUpperCase(java.util.Locale.ROOT)),
                            template,
                            path,
                            ADMIN,
                            new JsonObject(),
                            417,
                            Map.of("Expect", "200-ok"));
                }
            }
        }
    }

    /**
     * KBs registered with each form of credential reference (docs/api.md, {@code PUT /v1/kbs/{kb}}): the request and
     * the answer (and the KB list after it) carry the reference.
     */
    private void registerWithEachFormOfCredentials(String kb) {
        String https = "https://git.example.com/acme/guarded.git";
        Map<String, JsonObject> forms = Map.of(
                "guarded-env",
                new JsonObject().put("env", "GH_TOKEN"),
                "guarded-file",
                new JsonObject().put("file", "/run/secrets/team-token").put("username", "x-access-token"),
                "guarded-app",
                new JsonObject()
                        .put(
                                "githubApp",
                                new JsonObject()
                                        .put("appId", "123456")
                                        .put("installationId", 7890123)
                                        .put("privateKeyFile", "/run/secrets/team-app.pem")),
                "guarded-ssh",
                new JsonObject()
                        .put("sshKey", "/run/secrets/id_ed25519")
                        .put("knownHosts", "/run/secrets/known_hosts"));
        forms.forEach((id, credentials) -> {
            String remote = id.equals("guarded-ssh") ? "ssh://git@git.example.com/acme/guarded.git" : https;
            JsonObject registered = call(
                    PUT,
                    kb,
                    "/v1/kbs/" + id,
                    ADMIN,
                    new JsonObject().put("remote", remote).put("branch", "main").put("credentials", credentials),
                    200);
            assertThat(registered.getJsonObject("credentials")).as(id).isNotNull();
        });
    }

    /** A bare repository with one commit (with kbsync's trailers) on main. */
    private Path remoteWithANote() throws Exception {
        Path remote = dir.resolve("docs.git");
        Git.init().setBare(true).setDirectory(remote.toFile()).call().close();
        try (Git work = Git.cloneRepository()
                .setURI(remote.toString())
                .setDirectory(dir.resolve("work").toFile())
                .call()) {
            work.getRepository().updateRef(Constants.HEAD).link("refs/heads/main");
            Files.createDirectories(dir.resolve("work/notes"));
            Files.writeString(dir.resolve("work/notes/standup.md"), "Standup moved to 9:30\n");
            work.add().addFilepattern(".").call();
            work.commit()
                    .setMessage("Add: Standup\n\nKbsync-Job: docs~1\nKbsync-Fence: 7\n")
                    .setAuthor("bot", "bot@example.com")
                    .call();
            work.push().setRemote("origin").add("main").call();
        }
        return remote;
    }

    private static JsonObject note(String user) {
        return new JsonObject()
                .put("user", user)
                .put("text", "Standup moved to 9:30")
                .put("title", "Standup");
    }

    private static JsonObject done(String lease) {
        return new JsonObject()
                .put("leaseId", lease)
                .put("state", "done")
                .put("commit", "9d1e0c4a00000000000000000000000000000000")
                .put("commitUrl", "https://github.com/acme/team/commit/9d1e0c4a00000000000000000000000000000000")
                .put("result", "Noted.")
                .put("pushRejections", 0);
    }

    /** One exchange, checked against the document; the JSON body (null when none). */
    private JsonObject call(
            HttpMethod method, String template, String path, String token, JsonObject body, int status) {
        return call(method, template, path, token, body, status, Map.of());
    }

    /** {@link #call} with request headers. */
    private JsonObject call(
            HttpMethod method,
            String template,
            String path,
            String token,
            JsonObject body,
            int status,
            Map<String, String> headers) {
        HttpRequest<Buffer> request = api.request(method, path, token);
        headers.forEach(request::putHeader);
        HttpResponse<Buffer> response = body == null
                ? request.send().await()
                : request.sendJsonObject(body).await();
        check(method, template, status, response);
        if (body != null && status < 300) {
            openApi.request(method.name(), template, body);
        }
        String type = response.getHeader("Content-Type");
        return type != null && type.startsWith("application/json") ? new JsonObject(response.bodyAsString()) : null;
    }

    /** An answer of {@code method template}: its status {@code status}, checked against the document. */
    private void check(HttpMethod method, String template, int status, HttpResponse<Buffer> response) {
        String text = response.bodyAsString();
        assertThat(response.statusCode())
                .as(method + " " + template + ": " + text)
                .isEqualTo(status);
        openApi.response(method.name(), template, status, response.getHeader("Content-Type"), text);
    }

    /** Opens an event stream, checks its first event against the document, closes it. */
    private void stream(String template, String path) throws IOException {
        try (RawStream stream = api.rawStream(path, CLIENT)) {
            String text = stream.readUntil(t -> t.contains("\ndata:") && t.indexOf("\n\n", t.indexOf("\ndata:")) > 0);
            assertThat(stream.status()).as(path).isEqualTo(200);
            openApi.response("GET", template, 200, stream.header("Content-Type"), text);
        }
    }
}
