package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.Coordinator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KB id used again with another remote (removed and registered again, or registered again in place): reads serve
 * only the new remote's content at once, and the old remote's mirror leaves the disk of every coordinator that had it.
 */
class KbReuseApiIT {
    private static final Path MIRRORS = tempDir("kbsync-reuse-mirrors-");
    private static final Path OTHER_MIRRORS = tempDir("kbsync-reuse-mirrors-2-");

    /** No timer refresh: a mirror moves on its first read. A short after-wait keeps a retired mirror's grace short. */
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_KBS", "",
            "KBSYNC_READS_REFRESH_SECONDS", "3600",
            "KBSYNC_READS_AFTER_WAIT_SECONDS", "1",
            "KBSYNC_READS_MIRROR_DIR", MIRRORS.toString()));

    @TempDir
    Path dir;

    @Test
    void shouldReadOnlyTheNewRemoteOnceARemovedKbIsRegisteredAgain() throws Exception {
        Path a = remote("team-a.git", "a.md", "team A's secret\n");
        Path b = remote("team-b.git", "b.md", "team B's note\n");
        Coordinator other = api.another(
                Map.of("KBSYNC_COORDINATOR_ID", "reuse-2", "KBSYNC_READS_MIRROR_DIR", OTHER_MIRRORS.toString()));
        try {
            register("shared", a);
            assertThat(content(api.port(), "shared", "a.md")).isEqualTo("team A's secret\n");
            assertThat(read(other.port(), "shared", "a.md").statusCode()).isEqualTo(200);
            assertThat(mirrorDirs(MIRRORS, "shared")).hasSize(1);
            assertThat(mirrorDirs(OTHER_MIRRORS, "shared")).hasSize(1);

            assertThat(api.call(DELETE, "/v1/kbs/shared", ADMIN).statusCode()).isEqualTo(204);
            register("shared", b);

            assertThat(read(api.port(), "shared", "a.md").statusCode()).isEqualTo(404);
            assertThat(content(api.port(), "shared", "b.md")).isEqualTo("team B's note\n");
            assertThat(tree(api.port(), "shared")).containsExactly("b.md");
            // the other coordinator heard of the removal: it drops its mirror of the old remote as well
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() ->
                            assertThat(mirrorDirs(OTHER_MIRRORS, "shared")).isEmpty());
            assertThat(read(other.port(), "shared", "a.md").statusCode()).isEqualTo(404);
            assertThat(tree(other.port(), "shared")).containsExactly("b.md");
            // here only the new remote's mirror is left on disk
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(
                            () -> assertThat(mirrorDirs(MIRRORS, "shared")).hasSize(1));
            assertThat(read(api.port(), "shared", "b.md").statusCode()).isEqualTo(200);
        } finally {
            other.stop().await();
        }
    }

    /**
     * A KB's fencing tokens only rise, also across its removal and a new registration under the same id: a token the
     * branch or a raw lease's storage already saw (raised, say, by a degraded coordinator whose clock runs ahead of
     * Redis's) is never issued again, nor one below it.
     */
    @Test
    void shouldKeepAKbsFencingTokensRisingAcrossItsRemovalAndANewRegistration() throws Exception {
        api.kb("fenced-again");
        long raised = System.currentTimeMillis() + 600_000;
        api.silentTickets()
                .raiseFence(KbId.of("fenced-again"), raised)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(api.call(DELETE, "/v1/kbs/fenced-again", ADMIN).statusCode()).isEqualTo(204);
        api.kb("fenced-again");

        try (KbsyncClient client = api.client(CLIENT)) {
            Lease lease = client.requestLease(KbId.of("fenced-again"), LeaseRequest.of("after"));
            assertThat(lease.fencingToken()).isGreaterThan(raised);
            client.release(lease.id());
        }
    }

    @Test
    void shouldReadOnlyTheNewRemoteOnceAKbIsRegisteredAgainWithAnotherRemote() throws Exception {
        Path a = remote("moved-a.git", "a.md", "old remote\n");
        Path b = remote("moved-b.git", "b.md", "new remote\n");
        register("moved", a);
        assertThat(read(api.port(), "moved", "a.md").statusCode()).isEqualTo(200);

        register("moved", b);

        assertThat(read(api.port(), "moved", "a.md").statusCode()).isEqualTo(404);
        assertThat(content(api.port(), "moved", "b.md")).isEqualTo("new remote\n");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(mirrorDirs(MIRRORS, "moved")).hasSize(1));
        assertThat(read(api.port(), "moved", "b.md").statusCode()).isEqualTo(200);
    }

    private HttpResponse<Buffer> read(int port, String kb, String path) {
        return api.call(port, GET, "/v1/kbs/" + kb + "/files/" + path, CLIENT);
    }

    private String content(int port, String kb, String path) {
        HttpResponse<Buffer> file = read(port, kb, path);
        assertThat(file.statusCode()).as(file.bodyAsString()).isEqualTo(200);
        return file.bodyAsJsonObject().getString("content");
    }

    private List<String> tree(int port, String kb) {
        HttpResponse<Buffer> tree = api.call(port, GET, "/v1/kbs/" + kb + "/tree", CLIENT);
        assertThat(tree.statusCode()).as(tree.bodyAsString()).isEqualTo(200);
        return tree.bodyAsJsonObject().getJsonArray("entries").stream()
                .map(e -> ((JsonObject) e).getString("path"))
                .toList();
    }

    private static List<Path> mirrorDirs(Path base, String kb) throws IOException {
        try (Stream<Path> files = Files.list(base)) {
            return files.filter(p -> p.getFileName().toString().matches(kb + "-[0-9a-f]{12}\\.git"))
                    .toList();
        }
    }

    private Path remote(String name, String file, String content) throws Exception {
        Path remote = dir.resolve(name);
        Git.init()
                .setBare(true)
                .setDirectory(remote.toFile())
                .setInitialBranch("main")
                .call()
                .close();
        Path work = dir.resolve(name + "-work");
        try (Git git = Git.cloneRepository()
                .setURI(remote.toString())
                .setDirectory(work.toFile())
                .call()) {
            git.getRepository().updateRef("HEAD").link("refs/heads/main");
            Files.writeString(work.resolve(file), content);
            git.add().addFilepattern(file).call();
            git.commit()
                    .setMessage("Add " + file)
                    .setAuthor("bot", "bot@example.com")
                    .call();
            git.push().setRemote("origin").add("main").call();
        }
        return remote;
    }

    private static void register(String kb, Path remote) {
        HttpResponse<Buffer> response = api.call(
                PUT,
                "/v1/kbs/" + kb,
                ADMIN,
                new JsonObject().put("remote", remote.toString()).put("branch", "main"));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    }

    private static Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
