package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.HEAD;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbFile;
import dev.kbsync.api.KbId;
import dev.kbsync.api.KbLog;
import dev.kbsync.api.KbTree;
import dev.kbsync.api.ReadQuery;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.testing.LogCapture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read routes on a real coordinator against real git remotes (bare repositories on disk): files, trees and logs
 * from the snapshot, ETags, {@code at} and {@code after}, the path guard, scopes and the errors.
 */
class ReadsApiIT {
    private static final String SCOPED = "scoped-client-token-001";

    /** No timer refresh during the tests: a mirror moves on its first read, on ?after= and when a grant ends. */
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(
            Map.of(
                    "KBSYNC_TOKENS",
                    "",
                    "KBSYNC_KBS",
                    "",
                    "KBSYNC_READS_REFRESH_SECONDS",
                    "3600",
                    "KBSYNC_READS_AFTER_WAIT_SECONDS",
                    "6"),
            """
            auth:
              tokens:
                - {token: %s, role: admin}
                - {token: %s, role: client}
                - {token: %s, role: client, name: notes-bot, kbs: [notes]}
            """.formatted(ADMIN, CLIENT, SCOPED));

    @TempDir
    static Path dir;

    static Git work;
    static RevCommit first;

    @BeforeAll
    static void remotes() throws Exception {
        Path remote = bare(dir.resolve("notes.git"));
        work = Git.cloneRepository()
                .setURI(remote.toString())
                .setDirectory(dir.resolve("work").toFile())
                .call();
        work.getRepository().updateRef(Constants.HEAD).link("refs/heads/main");
        write("README.md", "# Notes\n");
        write("notes/2026/standup.md", "Standup moved to 9:30\n");
        Files.write(dir.resolve("work/notes/logo.bin"), new byte[] {(byte) 0xff, 0, 1, 2});
        write("notes/caf\u00e9.md", "written by kbsync, in NFC\n");
        write("notes/R\u00e9sum\u00e9s/cv.md", "in an NFC folder\n");
        write("notes/na\u00efve.md", "the NFC one\n");
        write("notes/nai\u0308ve.md", "the NFD one, by another tool\n");
        first = commit("Add: Standup\n\nKbsync-Job: notes~job-1\nKbsync-Fence: 41\n");
        register("notes", remote.toString());
        register("other", remote.toString());
        register("gone", dir.resolve("no-such-remote.git").toString());
        register("files", remote.toString());
    }

    @AfterAll
    static void close() {
        work.close();
    }

    @Test
    void shouldReadAFileWithTheCommitItWasReadAtAndAnswer304ForItsETag() {
        HttpResponse<Buffer> response = get("/v1/kbs/notes/files/notes/2026/standup.md", CLIENT);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        JsonObject file = response.bodyAsJsonObject();
        assertThat(file.getString("content")).isEqualTo("Standup moved to 9:30\n");
        assertThat(file.getString("encoding")).isEqualTo("utf-8");
        assertThat(file.getString("path")).isEqualTo("notes/2026/standup.md");
        assertThat(file.getLong("size")).isEqualTo(22);
        String etag = response.getHeader("ETag");
        assertThat(etag).isEqualTo("\"" + file.getString("blobId") + "\"");
        assertThat(response.getHeader("Kbsync-Commit")).isEqualTo(file.getString("commit"));

        HttpResponse<Buffer> again = api.request(GET, "/v1/kbs/notes/files/notes/2026/standup.md", CLIENT)
                .putHeader("If-None-Match", etag)
                .send()
                .await();
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isNull();

        JsonObject binary = get("/v1/kbs/notes/files/notes/logo.bin", CLIENT).bodyAsJsonObject();
        assertThat(binary.getString("encoding")).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(binary.getString("content"))).containsExactly(0xff, 0, 1, 2);
    }

    /** The file's path starts after the KB's own segment, whatever the KB is called. */
    @Test
    void shouldReadTheFileOfAKbNamedFiles() {
        HttpResponse<Buffer> response = get("/v1/kbs/files/files/notes/2026/standup.md", CLIENT);

        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        assertThat(response.bodyAsJsonObject().getString("path")).isEqualTo("notes/2026/standup.md");
        assertThat(response.bodyAsJsonObject().getString("content")).isEqualTo("Standup moved to 9:30\n");
    }

    /** A doubled slash reads as one, as the router reads it: the file's path is the routed path's. */
    @Test
    void shouldReadAFileWhoseRequestPathHasADoubledSlash() {
        for (String path :
                List.of("/v1/kbs//notes/files/notes/2026/standup.md", "/v1/kbs/notes//files/notes/2026/standup.md")) {
            HttpResponse<Buffer> response = get(path, CLIENT);

            assertThat(response.statusCode())
                    .as(path + ": " + response.bodyAsString())
                    .isEqualTo(200);
            assertThat(response.bodyAsJsonObject().getString("path")).isEqualTo("notes/2026/standup.md");
        }
    }

    @Test
    void shouldListTheTreeUnderAPrefixAndTheLogWithTrailers() {
        JsonObject tree = get("/v1/kbs/notes/tree?prefix=notes/", CLIENT).bodyAsJsonObject();
        assertThat(paths(tree.getJsonArray("entries")))
                .contains("notes/2026/standup.md", "notes/logo.bin")
                .doesNotContain("README.md");
        assertThat(tree.getBoolean("truncated")).isFalse();
        assertThat(tree.getJsonArray("entries").getJsonObject(0).getString("blobId"))
                .hasSize(40);

        JsonObject log = get("/v1/kbs/notes/log?path=notes/2026/standup.md&limit=5&at=" + first.name(), CLIENT)
                .bodyAsJsonObject();
        JsonObject entry = log.getJsonArray("commits").getJsonObject(0);
        assertThat(entry.getString("id")).isEqualTo(first.name());
        assertThat(entry.getString("subject")).isEqualTo("Add: Standup");
        assertThat(entry.getString("job")).isEqualTo("notes~job-1");
        assertThat(entry.getLong("fence")).isEqualTo(41);
    }

    @Test
    void shouldReadItsOwnWriteWithAfterAndOlderCommitsWithAt() throws Exception {
        write("notes/2026/standup.md", "Standup moved to 10:00\n");
        RevCommit second = commit("Edit: Standup\n\nKbsync-Job: notes~job-2\nKbsync-Fence: 42\n");

        JsonObject now = get("/v1/kbs/notes/files/notes/2026/standup.md?after=" + second.name(), CLIENT)
                .bodyAsJsonObject();
        assertThat(now.getString("content")).isEqualTo("Standup moved to 10:00\n");
        assertThat(now.getString("commit")).isEqualTo(second.name());
        JsonObject before = get("/v1/kbs/notes/files/notes/2026/standup.md?at=" + first.name(), CLIENT)
                .bodyAsJsonObject();
        assertThat(before.getString("content")).isEqualTo("Standup moved to 9:30\n");
        JsonObject log =
                get("/v1/kbs/notes/log?limit=1&after=" + second.name(), CLIENT).bodyAsJsonObject();
        assertThat(log.getJsonArray("commits").getJsonObject(0).getString("job"))
                .isEqualTo("notes~job-2");
    }

    @Test
    void shouldAnswerSnapshotBehindWhenTheCommitToWaitForNeverComes() {
        long started = System.nanoTime();
        var answer = get("/v1/kbs/notes/files/notes/2026/standup.md?after=" + "0".repeat(40), CLIENT);

        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("the whole wait for the commit (6 s here), longer than Redis's bound on a request (4 s)")
                .isGreaterThanOrEqualTo(Duration.ofMillis(5_500));
        assertError(answer, 503, "SNAPSHOT_BEHIND");
        assertThat(answer.getHeader("Retry-After")).isEqualTo("1");
    }

    @Test
    void shouldAnswerAHeadWithAfterAtOnceAndFetchTheCommitForTheNext() throws Exception {
        register("head-after", dir.resolve("notes.git").toString()); // a mirror of its own
        String path = "/v1/kbs/head-after/files/README.md";
        assertThat(get(path, CLIENT).statusCode())
                .as("the mirror's first fetch")
                .isEqualTo(200);
        write("notes/2026/head.md", "Asked with HEAD\n");
        RevCommit later = commitUnpushed("Add: head\n");

        long started = System.nanoTime();
        HttpResponse<Buffer> head = api.call(HEAD, path + "?after=" + later.name(), CLIENT);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("a HEAD does not wait for the commit (a GET would, 6 s here)")
                .isLessThan(Duration.ofMillis(2_000));
        assertThat(head.statusCode()).isEqualTo(503);
        assertThat(head.getHeader("Retry-After")).isEqualTo("1");
        assertThat(head.body()).isNull();

        push();
        await("a fetch each HEAD set going brings the commit")
                .atMost(Duration.ofSeconds(5))
                .until(() ->
                        api.call(HEAD, path + "?after=" + later.name(), CLIENT).statusCode() == 200);
        HttpResponse<Buffer> now = api.call(HEAD, path + "?after=" + later.name(), CLIENT);
        HttpResponse<Buffer> get = get(path + "?after=" + later.name(), CLIENT);
        for (String header : List.of("Content-Length", "ETag", "Kbsync-Commit")) {
            assertThat(now.getHeader(header)).as(header).isEqualTo(get.getHeader(header));
        }
    }

    @Test
    void shouldRefreshTheSnapshotWhenAGrantOnTheKbEnds() throws Exception {
        register("landing", dir.resolve("notes.git").toString());
        String before = get("/v1/kbs/landing/tree", CLIENT).bodyAsJsonObject().getString("commit");
        write("landing.md", "landed while the KB was held\n");
        RevCommit pushed = commit("Add: landing\n\nKbsync-Job: landing~1\n");
        assertThat(get("/v1/kbs/landing/tree", CLIENT).bodyAsJsonObject().getString("commit"))
                .as("no grant ended yet: the snapshot has not moved")
                .isEqualTo(before);

        JsonObject lease = api.call(
                        io.vertx.core.http.HttpMethod.POST,
                        "/v1/kbs/landing/leases",
                        CLIENT,
                        new JsonObject().put("holder", "writer"))
                .bodyAsJsonObject();
        assertThat(lease.getString("state")).isEqualTo("granted");
        api.call(io.vertx.core.http.HttpMethod.DELETE, "/v1/leases/" + lease.getString("id"), CLIENT);

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> pushed.name()
                        .equals(get("/v1/kbs/landing/tree", CLIENT)
                                .bodyAsJsonObject()
                                .getString("commit")));
        assertThat(get("/v1/kbs/landing/files/landing.md", CLIENT)
                        .bodyAsJsonObject()
                        .getString("content"))
                .isEqualTo("landed while the KB was held\n");
    }

    /**
     * A mirror a coordinator reopens from its reads.mirrorDir (it read the KB before a restart) holds what it fetched
     * then, possibly days ago: its first read fetches before it is served, as an idle mirror's does.
     */
    @Test
    void shouldFetchAMirrorReopenedFromDiskBeforeItsFirstRead() throws Exception {
        Path remote = bare(dir.resolve("reopened.git"));
        Path mirrors = dir.resolve("kept-mirrors");
        String path = "/v1/kbs/reopened/files/kept.md";
        try (Git clone = Git.cloneRepository()
                .setURI(remote.toString())
                .setDirectory(dir.resolve("reopened").toFile())
                .call()) {
            clone.getRepository().updateRef(Constants.HEAD).link("refs/heads/main");
            RevCommit before = commitTo(clone, "kept.md", "read before the restart\n");
            register("reopened", remote.toString());
            Coordinator first = api.another(
                    Map.of("KBSYNC_COORDINATOR_ID", "reads-kept-1", "KBSYNC_READS_MIRROR_DIR", mirrors.toString()));
            try {
                assertThat(api.call(first.port(), GET, path, CLIENT)
                                .bodyAsJsonObject()
                                .getString("commit"))
                        .isEqualTo(before.name());
            } finally {
                first.stop().await();
            }
            RevCommit after = commitTo(clone, "kept.md", "pushed while no coordinator ran\n");

            Coordinator again = api.another(
                    Map.of("KBSYNC_COORDINATOR_ID", "reads-kept-2", "KBSYNC_READS_MIRROR_DIR", mirrors.toString()));
            try {
                JsonObject file = api.call(again.port(), GET, path, CLIENT).bodyAsJsonObject();
                assertThat(file.getString("commit"))
                        .as("the first read of the mirror on disk fetched first")
                        .isEqualTo(after.name());
                assertThat(file.getString("content")).isEqualTo("pushed while no coordinator ran\n");
            } finally {
                again.stop().await();
            }
        }
    }

    /**
     * A KB registered again with the same remote and branch keeps its mirror: another duplicate window (or note path)
     * changes nothing it mirrors, and other credentials are what its next fetch uses; only another remote or branch
     * retires it.
     */
    @Test
    void shouldKeepTheMirrorWhenAKbIsRegisteredAgainWithTheSameRemoteAndBranch() {
        String missing = "https://127.0.0.1:1/refused.git"; // no one listens: each fetch fails at once
        register("reconf", dir.resolve("notes.git").toString());
        register("reconf-creds", missing);
        assertThat(get("/v1/kbs/reconf/files/README.md", CLIENT).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> unavailable = get("/v1/kbs/reconf-creds/files/README.md", CLIENT);
        assertError(unavailable, 503, "SNAPSHOT_UNAVAILABLE");
        assertThat(unavailable.bodyAsString()).doesNotContain("without credentials");

        try (LogCapture logs = new LogCapture()) {
            register(
                    "reconf",
                    new JsonObject()
                            .put("remote", dir.resolve("notes.git").toString())
                            .put("branch", "main")
                            .put("dedupeWindowSeconds", 30)
                            .put("notePath", "inbox/{yyyy}/{slug}.md"));
            register(
                    "reconf-creds",
                    new JsonObject()
                            .put("remote", missing)
                            .put("branch", "main")
                            .put("credentials", new JsonObject().put("env", "NOTES_GIT_TOKEN")));

            assertThat(get("/v1/kbs/reconf/files/README.md", CLIENT).statusCode())
                    .isEqualTo(200);
            HttpResponse<Buffer> again = get("/v1/kbs/reconf-creds/files/README.md", CLIENT);
            assertError(again, 503, "SNAPSHOT_UNAVAILABLE");
            assertThat(again.bodyAsString())
                    .as("the mirror's next fetch went by the new credential reference")
                    .contains("fetched without credentials");
            assertThat(logs.lines())
                    .as("neither mirror was retired")
                    .noneMatch(line -> line.contains("read mirror of KB reconf") && line.contains("retired"));
        }
    }

    @Test
    void shouldRefuseBadPathsAndAnswerMissingThingsWithJsonErrors() {
        assertError(get("/v1/kbs/notes/files/.git/config", CLIENT), 400, "INVALID_PATH");
        // dot segments, also encoded, are resolved by the router before any route: no read route matches
        assertError(get("/v1/kbs/notes/files/notes/%2e%2e/%2e%2e/etc/passwd", CLIENT), 404, "NOT_FOUND");
        assertError(get("/v1/kbs/notes/files/notes/%2e%2e%2f%2e%2e%2fetc/passwd", CLIENT), 400, "INVALID_PATH");
        assertError(get("/v1/kbs/notes/files/notes%5c..%5cx", CLIENT), 400, "INVALID_PATH");
        assertError(get("/v1/kbs/notes/tree?prefix=../x", CLIENT), 400, "INVALID_PATH");
        for (String prefix : List.of("/", "/notes/", "//")) {
            HttpResponse<Buffer> absolute = get("/v1/kbs/notes/tree?prefix=" + prefix, CLIENT);
            assertError(absolute, 400, "INVALID_PATH");
            assertThat(absolute.bodyAsJsonObject().getJsonObject("error").getString("message"))
                    .as(prefix)
                    .isEqualTo("Invalid path '" + prefix + "': is absolute");
        }
        assertError(get("/v1/kbs/notes/log?path=/etc/passwd", CLIENT), 400, "INVALID_PATH");
        assertError(get("/v1/kbs/notes/files/notes/missing.md", CLIENT), 404, "FILE_NOT_FOUND");
        assertError(get("/v1/kbs/notes/files/notes/2026", CLIENT), 404, "FILE_NOT_FOUND");
        assertError(get("/v1/kbs/nope/files/README.md", CLIENT), 404, "KB_NOT_FOUND");
        assertError(get("/v1/kbs/notes/files/README.md?at=123", CLIENT), 400, "INVALID_COMMIT");
        assertError(get("/v1/kbs/notes/files/README.md?at=" + "0".repeat(40), CLIENT), 404, "COMMIT_NOT_FOUND");
        assertError(get("/v1/kbs/notes/log?limit=0", CLIENT), 400, "INVALID_FIELD");
        assertError(get("/v1/kbs/notes/tree?access_token=" + CLIENT, CLIENT), 400, "UNKNOWN_FIELD");
        assertError(get("/v1/kbs/notes/log?limit=1&limit=2", CLIENT), 400, "INVALID_FIELD");
        assertError(get("/v1/kbs/notes/tree?prefix=notes&prefix=x", CLIENT), 400, "INVALID_FIELD");
        HttpResponse<Buffer> unavailable = get("/v1/kbs/gone/files/README.md", CLIENT);
        assertError(unavailable, 503, "SNAPSHOT_UNAVAILABLE");
        assertThat(unavailable.getHeader("Retry-After")).isNotBlank();
    }

    /**
     * A first read waits for the KB's first fetch up to reads.afterWaitSeconds (6 s here), longer than the bound on a
     * request's Redis calls (4 s): a remote that never answers is a 503 SNAPSHOT_UNAVAILABLE after that wait, not a
     * 503 REDIS_UNAVAILABLE (Redis answered all along).
     */
    @Test
    void shouldAnswerSnapshotUnavailableNotRedisUnavailableWhileTheFirstFetchHangs() throws Exception {
        try (SilentRemote silent = new SilentRemote()) {
            register("silent", silent.url("silent"));

            long asked = System.nanoTime();
            HttpResponse<Buffer> answer = get("/v1/kbs/silent/files/README.md", CLIENT);

            assertError(answer, 503, "SNAPSHOT_UNAVAILABLE");
            assertThat(answer.getHeader("Retry-After")).isNotBlank();
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldLetAScopedTokenReadOnlyItsKbs() {
        assertThat(get("/v1/kbs/notes/files/README.md", SCOPED).statusCode()).isEqualTo(200);
        assertError(get("/v1/kbs/other/files/README.md", SCOPED), 403, "SCOPE_KB");
        assertError(get("/v1/kbs/other/tree", SCOPED), 403, "SCOPE_KB");
        assertError(get("/v1/kbs/other/log", SCOPED), 403, "SCOPE_KB");
        assertError(get("/v1/kbs/notes/tree", null), 401, "UNAUTHENTICATED");
    }

    @Test
    void shouldReadAPathSentInNfdByItsNfcFormWhenOnlyThatIsInTheKb() {
        HttpResponse<Buffer> file = get("/v1/kbs/notes/files/notes/cafe%CC%81.md", CLIENT);
        assertThat(file.statusCode()).as(file.bodyAsString()).isEqualTo(200);
        assertThat(file.bodyAsJsonObject().getString("path")).isEqualTo("notes/caf\u00e9.md");
        assertThat(file.bodyAsJsonObject().getString("content")).isEqualTo("written by kbsync, in NFC\n");

        JsonObject tree = get("/v1/kbs/notes/tree?prefix=notes/Re%CC%81sume%CC%81s/", CLIENT)
                .bodyAsJsonObject();
        assertThat(paths(tree.getJsonArray("entries"))).containsExactly("notes/R\u00e9sum\u00e9s/cv.md");
        JsonObject log =
                get("/v1/kbs/notes/log?path=notes/cafe%CC%81.md", CLIENT).bodyAsJsonObject();
        assertThat(log.getJsonArray("commits")).hasSize(1);
        assertThat(log.getString("path")).isEqualTo("notes/caf\u00e9.md");
    }

    /**
     * A path sent as raw UTF-8 bytes (not percent-encoded, as some clients send it) names the same file as its
     * percent-encoded form, in the file's path and in the tree's and log's query.
     */
    @Test
    void shouldReadAPathSentAsRawUtf8AsItsPercentEncodedForm() throws IOException {
        JsonObject file = rawGet("/v1/kbs/notes/files/notes/caf\u00e9.md");
        assertThat(file.getString("path")).isEqualTo("notes/caf\u00e9.md");
        assertThat(file.getString("content")).isEqualTo("written by kbsync, in NFC\n");

        JsonObject tree = rawGet("/v1/kbs/notes/tree?prefix=notes/R\u00e9sum\u00e9s/");
        assertThat(paths(tree.getJsonArray("entries"))).containsExactly("notes/R\u00e9sum\u00e9s/cv.md");
        JsonObject log = rawGet("/v1/kbs/notes/log?path=notes/caf\u00e9.md");
        assertThat(log.getString("path")).isEqualTo("notes/caf\u00e9.md");
        assertThat(log.getJsonArray("commits")).hasSize(1);

        assertError(get("/v1/kbs/notes/files/notes/caf%E9.md", CLIENT), 400, "INVALID_PATH");
        assertError(get("/v1/kbs/notes/tree?prefix=notes/caf%E9/", CLIENT), 400, "INVALID_PATH");
        assertError(get("/v1/kbs/notes/log?path=notes/caf%E9.md", CLIENT), 400, "INVALID_PATH");
    }

    @Test
    void shouldReadTheExactPathFirstWhenTheKbHoldsBothUnicodeForms() {
        assertThat(get("/v1/kbs/notes/files/notes/nai%CC%88ve.md", CLIENT)
                        .bodyAsJsonObject()
                        .getString("content"))
                .isEqualTo("the NFD one, by another tool\n");
        assertThat(get("/v1/kbs/notes/files/notes/na%C3%AFve.md", CLIENT)
                        .bodyAsJsonObject()
                        .getString("content"))
                .isEqualTo("the NFC one\n");
        assertError(get("/v1/kbs/notes/files/notes/cafe%CC%81-missing.md", CLIENT), 404, "FILE_NOT_FOUND");
    }

    @Test
    void shouldReadThroughTheJavaClient() {
        KbsyncClient client = api.client(CLIENT);
        KbId notes = KbId.of("notes");
        KbFile readme = client.readFile(notes, "README.md", ReadQuery.latest());
        assertThat(readme.text()).isEqualTo("# Notes\n");
        assertThat(client.readFileIfChanged(notes, "README.md", readme.etag(), ReadQuery.latest()))
                .isEmpty();
        assertThat(client.readFile(notes, "notes/2026/standup.md", ReadQuery.at(first.name()))
                        .text())
                .isEqualTo("Standup moved to 9:30\n");
        assertThat(client.tree(notes, "notes/", ReadQuery.latest()).entries())
                .extracting(KbTree.Entry::path)
                .contains("notes/2026/standup.md");
        assertThat(client.log(notes, "README.md", 5, ReadQuery.latest()).commits())
                .extracting(KbLog.Entry::job)
                .containsExactly("notes~job-1");
        assertThatThrownBy(() -> client.readFile(notes, "notes/missing.md", ReadQuery.latest()))
                .isInstanceOfSatisfying(
                        KbsyncException.NotFound.class,
                        e -> assertThat(e.code()).isEqualTo("FILE_NOT_FOUND"));
        // refused by the client before it sends anything, with the code the coordinator gives
        assertThatThrownBy(() -> client.readFile(notes, ".git/config", ReadQuery.latest()))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_PATH"));
    }

    /** A GET of {@code target} sent as UTF-8 bytes, as written (no percent-encoding); its 200 answer's JSON. */
    private static JsonObject rawGet(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(answer).as(target).startsWith("HTTP/1.1 200");
            return new JsonObject(body);
        }
    }

    private static HttpResponse<Buffer> get(String path, String token) {
        return api.call(GET, path, token);
    }

    private static void assertError(HttpResponse<Buffer> response, int status, String code) {
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code"))
                .isEqualTo(code);
    }

    private static List<String> paths(JsonArray entries) {
        return entries.stream().map(e -> ((JsonObject) e).getString("path")).toList();
    }

    private static void register(String kb, String remote) {
        register(kb, new JsonObject().put("remote", remote).put("branch", "main"));
    }

    private static void register(String kb, JsonObject registration) {
        HttpResponse<Buffer> response = api.call(PUT, "/v1/kbs/" + kb, ADMIN, registration);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    }

    private static void write(String path, String text) throws Exception {
        Path file = dir.resolve("work").resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Commits {@code text} as {@code path} in {@code clone} and pushes it. */
    private static RevCommit commitTo(Git clone, String path, String text) throws Exception {
        Path file = clone.getRepository().getWorkTree().toPath().resolve(path);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        clone.add().addFilepattern(path).call();
        RevCommit commit = clone.commit()
                .setMessage("Edit: " + path + "\n")
                .setAuthor("bot", "bot@example.com")
                .call();
        clone.push().setRemote("origin").add("main").call();
        return commit;
    }

    private static synchronized RevCommit commit(String message) throws Exception {
        RevCommit commit = commitUnpushed(message);
        push();
        return commit;
    }

    private static synchronized RevCommit commitUnpushed(String message) throws Exception {
        work.add().addFilepattern(".").call();
        return work.commit()
                .setMessage(message)
                .setAuthor("bot", "bot@example.com")
                .call();
    }

    private static synchronized void push() throws Exception {
        work.push().setRemote("origin").add("main").call();
    }

    /** An empty bare repository with branch main at {@code at}. */
    private static Path bare(Path at) throws Exception {
        Git.init()
                .setBare(true)
                .setDirectory(at.toFile())
                .setInitialBranch("main")
                .call()
                .close();
        return at;
    }
}
