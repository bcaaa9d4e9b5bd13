package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.TokenHosts;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.GitHubStandIn;
import dev.kbsync.worker.fixture.TestKeys;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * KBs registered with credential references (PUT /v1/kbs/{kb}) run on a real worker against a git smart-HTTP remote
 * that accepts only the tokens the test allows: secret files and environment files rotate without a restart, GitHub
 * App installation tokens are fetched from a stand-in of GitHub and refreshed before they expire, and a reference the
 * worker cannot resolve fails the job with CREDENTIALS_UNAVAILABLE.
 */
class WorkerCredentialsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private Vertx vertx;
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;
    private GitHttpServer git;
    private Path secrets;
    private Path envFile;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        Path remotes = Files.createDirectories(tmp.resolve("remotes"));
        for (String kb : List.of("by-file", "by-env", "by-app", "missing", "by-default")) {
            GitFixture.bareRemote(remotes.resolve(kb + ".git"));
        }
        git = new GitHttpServer(remotes, accepted::contains);
        secrets = Files.createDirectories(tmp.resolve("secrets")).toRealPath();
        envFile = Files.writeString(tmp.resolve("worker.env"), "");
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of());
        WorkerConfig config = WorkerFixture.withCredentials(
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache"), 1, Optional.empty()),
                new CredentialSettings(Optional.of(envFile), List.of(secrets), "KB_", Optional.empty()));
        worker = WorkerFixture.start(vertx, config, PhaseListener.NONE);
    }

    @AfterEach
    void tearDown() {
        worker.stop();
        coordinator.close();
        git.close();
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldUseARotatedSecretFileAtTheNextJob() throws Exception {
        Path token = Files.writeString(secrets.resolve("by-file"), "file-token-one\n");
        register("by-file", new CredentialRef.File(token.toString(), null));
        accepted.add("file-token-one");
        coordinator.assertDone(note("by-file"));

        Files.writeString(token, "file-token-two\n");
        accepted.clear();
        accepted.add("file-token-two");
        coordinator.assertDone(note("by-file"));
        assertThat(git.passwords()).containsSubsequence("file-token-one", "file-token-two");
    }

    @Test
    void shouldUseARotatedEnvironmentFileVariableAtTheNextJob() throws Exception {
        register("by-env", new CredentialRef.Env("KB_ENV_TOKEN", null));
        Files.writeString(envFile, "KB_ENV_TOKEN=env-token-one\n");
        accepted.add("env-token-one");
        coordinator.assertDone(note("by-env"));

        Files.writeString(envFile, "KB_ENV_TOKEN=env-token-two\n");
        accepted.clear();
        accepted.add("env-token-two");
        coordinator.assertDone(note("by-env"));
    }

    @Test
    void shouldFetchAGitHubAppInstallationTokenAndRefreshItBeforeItExpires() throws Exception {
        KeyPair app = TestKeys.rsa();
        Path pem = TestKeys.writePkcs1(app, secrets.resolve("app.pem"));
        try (GitHubStandIn github = new GitHubStandIn("31337", 99, app.getPublic(), Clock.systemUTC())) {
            // usable for 10 s before the refresh margin: the first two notes fit in it on a loaded machine
            github.tokenLifetime(Duration.ofMinutes(5).plusSeconds(10));
            byApp(github, pem);
            coordinator.assertDone(note("by-app"));
            coordinator.assertDone(note("by-app"));
            assertThat(github.issued()).hasSize(1);

            Thread.sleep(10_200);
            coordinator.assertDone(note("by-app"));
            assertThat(github.issued()).hasSize(2);
            assertThat(github.refusals()).isEmpty();
            assertThat(git.passwords())
                    .contains(github.issued().get(0), github.issued().get(1));
        }
    }

    /**
     * A GitHub API that answers 503 for a while is waited out like an unreachable remote, and the note lands once it
     * serves again (it failed CREDENTIALS_UNAVAILABLE, for good, at the first 503).
     */
    @Test
    void shouldWaitOutAGitHubApiOutageAndLandTheNote() throws Exception {
        KeyPair app = TestKeys.rsa();
        Path pem = TestKeys.writePkcs1(app, secrets.resolve("app.pem"));
        try (GitHubStandIn github = new GitHubStandIn("31337", 99, app.getPublic(), Clock.systemUTC())) {
            byApp(github, pem);
            github.answerNext(503, 503, 502);

            String id = note("by-app");
            coordinator.assertDone(id);

            assertThat(github.issued()).hasSize(1);
            assertThat(coordinator.job(id).attempts())
                    .as("waited out within its first run")
                    .isEqualTo(1);
        }
    }

    /**
     * KB {@code by-app} registered with {@code github}'s app ({@code pem} its key), on a remote that accepts exactly the
     * tokens the stand-in issued, run by a worker that sends the app JWT to the stand-in.
     */
    private void byApp(GitHubStandIn github, Path pem) throws Exception {
        sendingTheAppJwtTo(github);
        git.close();
        git = new GitHttpServer(tmp.resolve("remotes"), github.issued()::contains);
        register("by-app", new CredentialRef.GitHubApp("31337", 99, pem.toString(), github.apiBase()));
    }

    /** Replaces the worker with one that sends the app JWT to {@code github} (credentials.githubApiHosts). */
    private void sendingTheAppJwtTo(GitHubStandIn github) {
        restartWith(new CredentialSettings(
                Optional.of(envFile),
                List.of(secrets),
                "KB_",
                Optional.empty(),
                Optional.of(TokenHosts.parse(List.of(github.apiBase().replace("http://", ""))))));
    }

    /** Replaces the worker with one ({@code w2}, its own cache) reading credentials as {@code settings} say. */
    private void restartWith(CredentialSettings settings) {
        worker.stop();
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.withCredentials(
                        WorkerFixture.config(coordinator.url(), "w2", tmp.resolve("cache-2"), 1, Optional.empty()),
                        settings),
                PhaseListener.NONE);
    }

    @Test
    void shouldFailAJobWithCredentialsUnavailableAndRunTheNextOnceTheSecretExists() throws Exception {
        register("missing", new CredentialRef.Env("KB_NOT_YET", null));
        String failed = note("missing");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !coordinator.jobState(failed).matches("queued|running"));
        Job job = coordinator.job(failed);
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.error().code()).isEqualTo("CREDENTIALS_UNAVAILABLE");
        assertThat(job.error().message())
                .isEqualTo("credentials of KB missing are unavailable: environment variable KB_NOT_YET is not set"
                        + " on this worker");

        Files.writeString(envFile, "KB_NOT_YET=now-set-token\n");
        accepted.add("now-set-token");
        coordinator.assertDone(note("missing"));
        assertThat(coordinator.job(failed).toJson().encode()).doesNotContain("now-set-token");
    }

    @Test
    void shouldGiveTheGenericTokenToTheListedHostOnlyAndFailAJobElsewhereUnsent() throws Exception {
        String listed = git.url("by-default.git");
        String unlisted = listed.replace("127.0.0.1", "localhost");
        restartWith(new CredentialSettings(
                Optional.of(envFile),
                List.of(secrets),
                "KB_",
                Optional.of(TokenHosts.parse(List.of(listed.replaceAll("https://([^/]*)/.*", "$1"))))));
        Files.writeString(envFile, "KBSYNC_GIT_TOKEN=generic-canary-5d2\n");
        accepted.add("generic-canary-5d2");

        coordinator.register(new KbConfig(KbId.of("by-default"), listed, "main"));
        coordinator.assertDone(note("by-default"));
        assertThat(git.passwords()).contains("generic-canary-5d2");
        git.passwords().clear();

        coordinator.register(new KbConfig(KbId.of("elsewhere"), unlisted, "main"));
        String failed = note("elsewhere");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !coordinator.jobState(failed).matches("queued|running"));
        Job job = coordinator.job(failed);
        assertThat(job.error().code()).isEqualTo("CREDENTIALS_UNAVAILABLE");
        assertThat(job.error().message())
                .contains("no credential for " + unlisted.replaceAll("https://([^/]*)/.*", "$1"))
                .contains("credentials.gitTokenHosts")
                .doesNotContain("generic-canary-5d2");
        assertThat(git.passwords()).isEmpty();
    }

    private void register(String kb, CredentialRef credentials) {
        KbConfig registration = new KbConfig(KbId.of(kb), git.url(kb + ".git"), "main").withCredentials(credentials);
        assertThat(coordinator.register(registration)).isEqualTo(registration);
    }

    private String note(String kb) {
        return coordinator.submitNote(kb, "ada", "a note for " + kb, "Note").id();
    }
}
