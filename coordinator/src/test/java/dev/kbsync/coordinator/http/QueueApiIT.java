package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.event.QueueEvent;
import dev.kbsync.api.event.SnapshotEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QueueApiIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    @Test
    void shouldListRegisteredKbsAndTheirQueues() {
        JsonObject body = api.call(GET, "/v1/kbs", CLIENT).bodyAsJsonObject();
        assertThat(body.getJsonArray("kbs").stream().map(o -> ((JsonObject) o).getString("id")))
                .contains("demo", "boom");
        assertThat(body.getJsonArray("queues").stream().map(o -> ((JsonObject) o).getString("kb")))
                .contains("demo", "boom");
    }

    @Test
    void shouldShowTheHolderAndWaitersOfOneKb() {
        api.call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject().put("holder", "q-first"));
        api.call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject().put("holder", "q-second"));

        JsonObject queue = api.call(GET, "/v1/kbs/demo/queue", CLIENT).bodyAsJsonObject();

        assertThat(queue.getString("kb")).isEqualTo("demo");
        assertThat(queue.getJsonObject("holder").getString("holder")).isEqualTo("q-first");
        assertThat(queue.getJsonArray("waiters").getJsonObject(0).getString("holder"))
                .isEqualTo("q-second");
        assertError(api.call(GET, "/v1/kbs/unknown/queue", CLIENT), 404, "KB_NOT_FOUND");
        assertError(api.call(GET, "/v1/kbs/UPPER/queue", CLIENT), 400, "INVALID_KB");
    }

    @Test
    void shouldRegisterAKbAsAdmin() {
        JsonObject kb = new JsonObject()
                .put("remote", "git@github.com:acme/handbook.git")
                .put("branch", "release/v1");
        HttpResponse<Buffer> response = api.call(PUT, "/v1/kbs/handbook", ADMIN, kb);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsJsonObject())
                .isEqualTo(kb.copy().put("id", "handbook").put("notePath", "notes/{yyyy}/{MM}/{slug}.md"));

        JsonObject daily = kb.copy().put("notePath", "journal/{yyyy}-{MM}-{dd}/{slug}.md");
        assertThat(api.call(PUT, "/v1/kbs/handbook", ADMIN, daily).bodyAsJsonObject())
                .isEqualTo(daily.copy().put("id", "handbook"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "notes/{user}/{slug}.md",
                "notes/fixed.md",
                "../{slug}.md",
                ".git/{slug}",
                "a//{slug}",
                "CON/{slug}.md"
            })
    void shouldRejectANotePathTemplateThePathGuardRefusesAndChangeNothing(String notePath) {
        long calls = api.services.calls.get();
        HttpResponse<Buffer> response = api.call(
                PUT,
                "/v1/kbs/x",
                ADMIN,
                new JsonObject()
                        .put("remote", "/srv/x.git")
                        .put("branch", "main")
                        .put("notePath", notePath));
        assertError(response, 400, "INVALID_NOTE_PATH");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRegisterAKbWithACredentialReference() {
        JsonObject kb = new JsonObject()
                .put("remote", "https://github.com/acme/team-a.git")
                .put("branch", "main")
                .put("credentials", new JsonObject().put("file", "/run/secrets/team-a-token"));
        HttpResponse<Buffer> response = api.call(PUT, "/v1/kbs/team-a", ADMIN, kb);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsJsonObject())
                .isEqualTo(kb.copy().put("id", "team-a").put("notePath", "notes/{yyyy}/{MM}/{slug}.md"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "secret by value      | https://h/x.git     | {\"token\":\"ghp_secret123\"}",
                "token as a var name  | https://h/x.git     | {\"env\":\"ghp_secret123\"}",
                "worker's own token   | https://h/x.git     | {\"env\":\"KBSYNC_COORDINATOR_TOKEN\"}",
                "two kinds            | https://h/x.git     | {\"env\":\"A\",\"file\":\"/s\"}",
                "relative file        | https://h/x.git     | {\"file\":\"s/t\"}",
                "key on https         | https://h/x.git     | {\"sshKey\":\"/k\",\"knownHosts\":\"/kh\"}",
                "token on ssh         | git@h:acme/x.git    | {\"env\":\"A\"}",
                "token on a path      | /srv/x.git          | {\"env\":\"A\"}",
                "env on http          | http://gitlab.evil.example/x.git | {\"env\":\"A\"}",
                "file on http         | http://h/x.git      | {\"file\":\"/run/secrets/t\"}",
                "app on loopback http | http://127.0.0.1:8929/x.git | {\"githubApp\":{\"appId\":\"1\",\"installationId\":2,\"privateKeyFile\":\"/k.pem\"}}",
                "token on a file url  | file:///srv/x.git   | {\"env\":\"A\"}",
                "no known_hosts       | git@h:acme/x.git    | {\"sshKey\":\"/k\"}",
                "app without key      | https://h/x.git     | {\"githubApp\":{\"appId\":\"1\",\"installationId\":2}}",
                "not an object        | https://h/x.git     | \"env:A\"",
            })
    void shouldRefuseABadCredentialReferenceAndChangeNothing(String name, String remote, String credentials) {
        long calls = api.services.calls.get();
        JsonObject body = new JsonObject()
                .put("remote", remote)
                .put("branch", "main")
                .put("credentials", io.vertx.core.json.Json.decodeValue(credentials));
        HttpResponse<Buffer> response = api.call(PUT, "/v1/kbs/x", ADMIN, body);
        assertError(response, 400, credentials.startsWith("\"") ? "INVALID_FIELD" : "INVALID_CREDENTIALS");
        assertThat(response.bodyAsString()).doesNotContain("ghp_secret123");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "token in https url  | https://bob:ghp_secret123@github.com/acme/x.git | main      | CREDENTIALS_IN_URL",
                "user in https url   | https://ghp_secret123@github.com/acme/x.git     | main      | CREDENTIALS_IN_URL",
                "password in ssh url | ssh://git:ghp_secret123@github.com/acme/x.git   | main      | CREDENTIALS_IN_URL",
                "token query         | https://github.com/acme/x.git?token=ghp_secret123 | main    | CREDENTIALS_IN_URL",
                "token query, case   | https://github.com/acme/x.git?Token=ghp_secret123 | main    | CREDENTIALS_IN_URL",
                "encoded query name  | https://github.com/acme/x.git?%74oken=ghp_secret123 | main  | CREDENTIALS_IN_URL",
                "matrix parameter    | https://github.com/acme/x.git;token=ghp_secret123 | main    | CREDENTIALS_IN_URL",
                "private_token query | https://github.com/acme/x.git?private_token=ghp_secret123 | main | CREDENTIALS_IN_URL",
                "relative path       | repos/x.git                                     | main      | INVALID_REMOTE",
                "ftp url             | ftp://example.com/x.git                         | main      | INVALID_REMOTE",
                "relative file url   | file://relative                                 | main      | INVALID_REMOTE",
                "file url with host  | file://srv/git/x.git                            | main      | INVALID_REMOTE",
                "branch with ..      | /srv/x.git                                      | a..b      | INVALID_BRANCH",
                "branch with space   | /srv/x.git                                      | 'a b'     | INVALID_BRANCH",
                "branch .lock        | /srv/x.git                                      | main.lock | INVALID_BRANCH",
                "branch leading dash | /srv/x.git                                      | -main     | INVALID_BRANCH",
            })
    void shouldRejectBadRegistrationsWithoutEchoingCredentials(String name, String remote, String branch, String code) {
        long calls = api.services.calls.get();
        HttpResponse<Buffer> response = api.call(
                PUT, "/v1/kbs/x", ADMIN, new JsonObject().put("remote", remote).put("branch", branch));
        assertError(response, 400, code);
        assertThat(response.bodyAsString()).doesNotContain("ghp_secret123");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    /**
     * A lone surrogate (a JSON {@code \\ud800} escape alone) has no UTF-8 form: stored, it became {@code ?}, so the
     * registration kept something else than what was checked (a branch {@code ma?in}, a note path with {@code ?} every
     * note then failed on, a remote whose {@code ?access_token=} passed the credentials check).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "remote     | {\"remote\":\"https://github.com/acme/n.git\\ud800access_token=ghp_secret123\",\"branch\":\"main\"} | INVALID_REMOTE",
                "branch     | {\"remote\":\"https://github.com/acme/n.git\",\"branch\":\"ma\\ud800in\"} | INVALID_BRANCH",
                "note path  | {\"remote\":\"https://github.com/acme/n.git\",\"branch\":\"main\",\"notePath\":\"notes/\\ud800{slug}.md\"} | INVALID_NOTE_PATH",
                "credential | {\"remote\":\"https://github.com/acme/n.git\",\"branch\":\"main\",\"credentials\":{\"file\":\"/run/secrets/t\\udfff\"}} | INVALID_CREDENTIALS",
                "app base   | {\"remote\":\"https://github.com/acme/n.git\",\"branch\":\"main\",\"credentials\":{\"githubApp\":{\"appId\":\"1\",\"installationId\":2,\"privateKeyFile\":\"/k.pem\",\"apiBase\":\"https://api.github.com\\ud800\"}}} | INVALID_CREDENTIALS",
            })
    void shouldRefuseALoneSurrogateInARegistrationAndChangeNothing(String name, String body, String code) {
        long calls = api.services.calls.get();
        HttpResponse<Buffer> response =
                api.raw(PUT, "/v1/kbs/surrogates", ADMIN, "application/json", Buffer.buffer(body));
        assertError(response, 400, code);
        assertThat(response.bodyAsString()).doesNotContain("ghp_secret123");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldStreamSnapshotsOfOneKbAndOfAllKbs() {
        KbId boom = KbId.of("boom");
        KbsyncClient client = api.client(CLIENT);
        try (EventStream<QueueEvent> one = client.queueEvents(boom);
                EventStream<QueueEvent> all = client.allQueueEvents()) {
            assertThat(((SnapshotEvent) one.next(WAIT)).snapshot().kb()).isEqualTo(boom);
            assertThat(all.next(WAIT).name()).isEqualTo("snapshot");

            api.call(POST, "/v1/kbs/boom/leases", CLIENT, new JsonObject().put("holder", "sse-holder"));

            SnapshotEvent update = (SnapshotEvent) one.next(WAIT);
            assertThat(update.snapshot().holder().map(QueueEntry::holder)).contains("sse-holder");
            SnapshotEvent seenByAll;
            do {
                seenByAll = (SnapshotEvent) all.next(WAIT);
            } while (seenByAll.snapshot().holder().isEmpty());
            assertThat(seenByAll.snapshot().kb()).isEqualTo(boom);
        }
    }

    /**
     * The Java client's stream follows the keep-alive period the coordinator names (1 s here): silent between two
     * keep-alives for longer than the client's own idle timeout (0.5 s), it goes on.
     */
    @Test
    void shouldKeepTheJavaClientsStreamOpenThroughSilencesLongerThanItsIdleTimeoutButWithinTheKeepAlives()
            throws Exception {
        JsonObject kb = new JsonObject()
                .put("remote", "https://git.example.com/quiet.git")
                .put("branch", "main");
        assertThat(api.call(PUT, "/v1/kbs/quiet", ADMIN, kb).statusCode()).isEqualTo(200);
        ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:" + api.port()), CLIENT)
                .withStreamIdleTimeout(Duration.ofMillis(500));
        try (KbsyncClient client = KbsyncClient.create(options);
                EventStream<QueueEvent> stream = client.queueEvents(KbId.of("quiet"))) {
            assertThat(stream.next(WAIT)).isInstanceOf(SnapshotEvent.class);
            Thread.sleep(3_000); // nothing happens: only keep-alives

            api.call(POST, "/v1/kbs/quiet/leases", CLIENT, new JsonObject().put("holder", "quiet-holder"));

            SnapshotEvent update = (SnapshotEvent) stream.next(WAIT);
            assertThat(update.snapshot().holder().map(QueueEntry::holder)).contains("quiet-holder");
        }
    }

    @Test
    void shouldWriteKeepAliveCommentsBetweenEvents() throws Exception {
        try (RawStream stream = api.rawStream("/v1/kbs/boom/events", CLIENT)) {
            assertThat(stream.header("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
            assertThat(stream.readUntil(text -> text.contains("\n: keep-alive\n\n")))
                    .startsWith(": kbsync\n\nevent: snapshot\ndata: {\"kb\":\"boom\",")
                    .contains("\n: keep-alive\n\n");
        }
    }
}
