package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.snapshot.KbMirrors;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.testing.BareRemotes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read mirrors under strain, on real coordinators against real remotes: remotes that never answer, a KB pointed
 * at another remote through another coordinator, a KB whose branch does not exist yet, and many small fetches.
 */
class ReadMirrorsIT {
    private static final Path MIRRORS = tempDir();

    /** The timer refreshes every second; a read waits for a commit at most 3 s. */
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(
            Map.of(
                    "KBSYNC_TOKENS",
                    "",
                    "KBSYNC_KBS",
                    "",
                    "KBSYNC_READS_REFRESH_SECONDS",
                    "1",
                    "KBSYNC_READS_AFTER_WAIT_SECONDS",
                    "3",
                    "KBSYNC_READS_MIRROR_DIR",
                    MIRRORS.toString()),
            """
            auth:
              tokens:
                - {token: %s, role: admin}
                - {token: %s, role: client}
            """.formatted(ADMIN, CLIENT));

    @TempDir
    Path dir;

    /** Remotes that accept connections and never answer hold only their own KBs' fetches. */
    @Test
    void shouldReadAHealthyKbPromptlyWhileOtherKbsRemotesNeverAnswer() throws Exception {
        Path healthy = BareRemotes.init(dir.resolve("healthy.git"), "main");
        BareRemotes.pushCommit(healthy, "main", "# first\n");
        register("healthy", healthy.toString());
        assertThat(get("/v1/kbs/healthy/files/README.md").statusCode()).isEqualTo(200);

        try (SilentRemote silent = new SilentRemote()) {
            List<Future<HttpResponse<Buffer>>> hanging = new ArrayList<>();
            for (String kb : List.of("silent-1", "silent-2", "silent-3")) {
                register(kb, silent.url(kb));
                hanging.add(api.request(GET, "/v1/kbs/" + kb + "/files/README.md", CLIENT)
                        .send());
            }
            await("the silent remotes hold fetches")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> silent.connections() >= 2);
            try {
                String next = commit(healthy, "README.md", "# second\n");
                HttpResponse<Buffer> read = get("/v1/kbs/healthy/files/README.md?after=" + next);
                assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(200);
                assertThat(read.bodyAsJsonObject().getString("commit")).isEqualTo(next);

                Path fresh = BareRemotes.init(dir.resolve("fresh.git"), "main");
                String only = BareRemotes.pushCommit(fresh, "main", "# fresh\n");
                register("fresh", fresh.toString());
                HttpResponse<Buffer> first = get("/v1/kbs/fresh/files/README.md");
                assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
                assertThat(first.bodyAsJsonObject().getString("commit")).isEqualTo(only);
            } finally {
                silent.dropConnections();
            }
            for (Future<HttpResponse<Buffer>> answer : hanging) {
                assertThat(answer.await().statusCode()).isEqualTo(503);
            }
        }
    }

    /**
     * One KB's reads that hold their read threads (a long log walk, say) hold only the KB's share of them: another
     * KB's read is served at once, and the busy KB's own read that finds no thread in time is answered 503 READS_BUSY
     * (Redis answers: not REDIS_UNAVAILABLE). The held reads are the coordinator's own, on the KB's real mirror.
     */
    @Test
    void shouldServeOtherKbsReadsWhileOneKbsReadsHoldTheirThreads() throws Exception {
        for (String kb : List.of("busy", "calm")) {
            Path remote = BareRemotes.init(dir.resolve(kb + ".git"), "main");
            BareRemotes.pushCommit(remote, "main", "# " + kb + "\n");
            register(kb, remote.toString());
            assertThat(get("/v1/kbs/" + kb + "/files/README.md").statusCode()).isEqualTo(200);
        }
        KbMirrors mirrors = api.coordinator().mirrors();
        KbConfig busy =
                api.coordinator().services().kbs().get(KbId.of("busy")).await().orElseThrow();
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<String>> held = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) { // more than there are read threads
                held.add(mirrors.read(busy, Optional.empty(), Duration.ZERO, snapshot -> hold(release)));
            }

            long start = System.nanoTime();
            HttpResponse<Buffer> calm = get("/v1/kbs/calm/files/README.md");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(calm.statusCode()).as(calm.bodyAsString()).isEqualTo(200);
            assertThat(took).as("the other KB's read is served at once").isLessThan(Duration.ofSeconds(2));

            HttpResponse<Buffer> refused = get("/v1/kbs/busy/tree");
            assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
            assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code"))
                    .isEqualTo("READS_BUSY");
            assertThat(refused.getHeader("Retry-After")).isNotBlank();
        } finally {
            release.countDown();
        }
        assertThat(held.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("held");
        HttpResponse<Buffer> again = get("/v1/kbs/busy/tree");
        assertThat(again.statusCode())
                .as("served again once its reads end: " + again.bodyAsString())
                .isEqualTo(200);
    }

    /**
     * A KB pointed at another remote through one coordinator: another coordinator that mirrors it stops fetching the
     * old remote (with the old registration) and deletes its old mirror, without any read of it there.
     */
    @Test
    void shouldRetireTheOldMirrorOnAnotherCoordinatorWhenAKbIsPointedElsewhere() throws Exception {
        Path old = BareRemotes.init(dir.resolve("old.git"), "main");
        BareRemotes.pushCommit(old, "main", "# old\n");
        Path moved = BareRemotes.init(dir.resolve("moved.git"), "main");
        BareRemotes.pushCommit(moved, "main", "# moved\n");
        register("repointed", old.toString());
        Path otherMirrors = dir.resolve("other-mirrors");
        Coordinator other = api.another(
                Map.of("KBSYNC_COORDINATOR_ID", "reads-other", "KBSYNC_READS_MIRROR_DIR", otherMirrors.toString()));
        try (LogCapture logs = new LogCapture()) {
            assertThat(api.call(other.port(), GET, "/v1/kbs/repointed/files/README.md", CLIENT)
                            .statusCode())
                    .isEqualTo(200);
            Path oldMirror = only(otherMirrors, "repointed-");

            register("repointed", moved.toString()); // through the fixture's coordinator
            String unwanted = commit(old, "README.md", "# pushed to the old remote\n");

            await("the other coordinator retires its mirror of the old remote")
                    .atMost(Duration.ofSeconds(8))
                    .until(() -> logs.lines().stream()
                            .anyMatch(line -> line.contains("read mirror of KB repointed at " + oldMirror)
                                    && line.contains("retired")));
            try (Repository repository = new FileRepositoryBuilder()
                    .setGitDir(oldMirror.toFile())
                    .setBare()
                    .build()) {
                assertThat(repository.getObjectDatabase().has(ObjectId.fromString(unwanted)))
                        .as("the old remote was not fetched after the KB moved")
                        .isFalse();
            }
            await("the old mirror is deleted after the grace")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> !Files.exists(oldMirror));
        } finally {
            other.stop().await();
        }
    }

    /**
     * A KB whose remote answers but has no branch yet (no job wrote to it) is empty, not unavailable: its tree and log
     * are empty, its files 404; its first commit is read as any other.
     */
    @Test
    void shouldServeAKbWhoseBranchDoesNotExistYetAsEmpty() throws Exception {
        Path remote = BareRemotes.init(dir.resolve("empty.git"), "main");
        register("empty", remote.toString());

        HttpResponse<Buffer> tree = get("/v1/kbs/empty/tree");
        assertThat(tree.statusCode()).as(tree.bodyAsString()).isEqualTo(200);
        assertThat(tree.bodyAsJsonObject().getJsonArray("entries")).isEmpty();
        assertThat(tree.bodyAsJsonObject().getString("commit")).isNull();
        HttpResponse<Buffer> log = get("/v1/kbs/empty/log");
        assertThat(log.statusCode()).as(log.bodyAsString()).isEqualTo(200);
        assertThat(log.bodyAsJsonObject().getJsonArray("commits")).isEmpty();
        HttpResponse<Buffer> file = get("/v1/kbs/empty/files/README.md");
        assertThat(file.statusCode()).as(file.bodyAsString()).isEqualTo(404);
        assertThat(file.bodyAsJsonObject().getJsonObject("error").getString("code"))
                .isEqualTo("FILE_NOT_FOUND");

        String first = BareRemotes.pushCommit(remote, "main", "# first\n");
        HttpResponse<Buffer> written = get("/v1/kbs/empty/files/README.md?after=" + first);
        assertThat(written.statusCode()).as(written.bodyAsString()).isEqualTo(200);
        assertThat(written.bodyAsJsonObject().getString("content")).isEqualTo("# first\n");
    }

    /** Each fetch brings a pack; the mirror repacks them once they pile up, so its pack count stays bounded. */
    @Test
    void shouldKeepTheMirrorsPackCountBoundedOverManyFetches() throws Exception {
        Path remote = BareRemotes.init(dir.resolve("packs.git"), "main");
        BareRemotes.pushCommit(remote, "main", "# 0\n");
        register("packs", remote.toString());
        assertThat(get("/v1/kbs/packs/files/README.md").statusCode()).isEqualTo(200);
        Path mirror = only(MIRRORS, "packs-");

        int most = 0;
        for (int i = 1; i <= 30; i++) {
            String commit = commit(remote, "README.md", "# " + i + "\n");
            HttpResponse<Buffer> read = get("/v1/kbs/packs/files/README.md?after=" + commit);
            assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(200);
            assertThat(read.bodyAsJsonObject().getString("content")).isEqualTo("# " + i + "\n");
            most = Math.max(most, packs(mirror));
        }
        assertThat(most).as("packs in the mirror at most, over 30 fetches").isLessThanOrEqualTo(17);
        assertThat(get("/v1/kbs/packs/log?limit=40").bodyAsJsonObject().getJsonArray("commits"))
                .as("the whole history is still there")
                .hasSize(31);
    }

    /** A read that holds its thread until {@code release} (at most 20 s). */
    private static String hold(CountDownLatch release) throws InterruptedIOException {
        try {
            release.await(20, TimeUnit.SECONDS);
            return "held";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the held read was interrupted");
        }
    }

    private static int packs(Path mirror) throws IOException {
        try (Stream<Path> list = Files.list(mirror.resolve("objects/pack"))) {
            return (int) list.filter(p -> p.toString().endsWith(".pack")).count();
        }
    }

    /** Commits {@code text} as {@code path} on top of the remote's main and pushes it; the commit's id. */
    private String commit(Path remote, String path, String text) throws Exception {
        Path work = Files.createTempDirectory(dir, "work");
        try (Git git = Git.cloneRepository()
                .setURI(remote.toString())
                .setDirectory(work.toFile())
                .setBranch("main")
                .call()) {
            Files.writeString(work.resolve(path), text);
            git.add().addFilepattern(path).call();
            RevCommit commit = git.commit()
                    .setMessage("Edit: " + path + "\n")
                    .setAuthor("bot", "bot@example.com")
                    .setCommitter("bot", "bot@example.com")
                    .call();
            for (PushResult result : git.push().setRemote("origin").add("main").call()) {
                for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                    assertThat(update.getStatus()).isEqualTo(RemoteRefUpdate.Status.OK);
                }
            }
            return commit.name();
        }
    }

    private static Path only(Path under, String prefix) throws IOException {
        try (Stream<Path> list = Files.list(under)) {
            List<Path> found = list.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .toList();
            assertThat(found).hasSize(1);
            return found.get(0);
        }
    }

    private static HttpResponse<Buffer> get(String path) {
        return api.call(GET, path, CLIENT);
    }

    private static void register(String kb, String remote) {
        HttpResponse<Buffer> response = api.call(
                PUT,
                "/v1/kbs/" + kb,
                ADMIN,
                new JsonObject().put("remote", remote).put("branch", "main"));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    }

    private static Path tempDir() {
        try {
            Path made = Files.createTempDirectory("kbsync-read-mirrors-");
            made.toFile().deleteOnExit();
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
