package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.BRANCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.GitHubStandIn;
import dev.kbsync.worker.fixture.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A canary token goes through clone, pull and push, failing and succeeding, from every source (given, secret file,
 * environment file, GitHub App installation token); it must never surface in messages, logs or .git/config.
 */
class CredentialsLeakIT {
    private static final String CANARY = "canary-tok-4f1d9b7e2c";
    private static final GitCredentials CREDENTIALS = new GitCredentials("ada", CANARY);

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<Throwable> failures = new ArrayList<>();
    private Logger root;
    private Level previousLevel;

    @BeforeEach
    void captureLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        previousLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
        root.setLevel(previousLevel);
    }

    @Test
    void shouldNeverExposeTheTokenWhileOperationsFail() throws Exception {
        int closed = UnauthorizedServer.closedPort();
        failures.add(catchThrowable(() -> KbRepository.cloneOrOpen(
                "https://ada:" + CANARY + "@127.0.0.1:" + closed + "/x.git", BRANCH, tmp.resolve("a"), GitAuth.NONE)));
        failures.add(catchThrowable(() -> KbRepository.cloneOrOpen(
                "https://127.0.0.1:" + closed + "/x.git", BRANCH, tmp.resolve("b"), GitAuth.fixed(CREDENTIALS))));
        try (UnauthorizedServer server = new UnauthorizedServer()) {
            failures.add(catchThrowable(() ->
                    KbRepository.cloneOrOpen(server.url(), BRANCH, tmp.resolve("c"), GitAuth.fixed(CREDENTIALS))));
            try (KbRepository repo =
                    GitFixture.localWithOrigin(tmp.resolve("local"), server.url(), GitAuth.fixed(CREDENTIALS))) {
                failures.add(catchThrowable(repo::pull));
                PushResult push = repo.push();
                assertThat(push).isInstanceOf(PushResult.AuthFailed.class);
                assertThat(push.message()).doesNotContain(CANARY);
                assertThat(push.toString()).doesNotContain(CANARY);
            }
            String basic = Base64.getEncoder().encodeToString(("ada:" + CANARY).getBytes(StandardCharsets.UTF_8));
            assertThat(server.authorizations()).contains("Basic " + basic);
        }
        assertThat(failures).hasSize(4).allSatisfy(this::assertClean);
        assertNoLeakOnDiskOrInLogs();
    }

    @Test
    void shouldNeverWriteTheTokenToConfigWhenOperationsSucceed() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp.resolve("remote"));
        try (KbRepository repo =
                KbRepository.cloneOrOpen(fixture.url(), BRANCH, tmp.resolve("ok"), GitAuth.fixed(CREDENTIALS))) {
            GitFixture.commitAndPush(repo, "a.md", "a");
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
        }
        assertThat(CREDENTIALS.toString()).doesNotContain(CANARY);
        assertNoLeakOnDiskOrInLogs();
    }

    @Test
    void shouldStripATokenTheOriginalBotLeftInTheOriginUrl() throws Exception {
        Path dir = tmp.resolve("legacy");
        try (Git git =
                Git.init().setInitialBranch(BRANCH).setDirectory(dir.toFile()).call()) {
            git.remoteAdd()
                    .setName("origin")
                    .setUri(new URIish("https://ada:" + CANARY + "@github.com/acme/kb.git"))
                    .call();
        }
        try (KbRepository repo = KbRepository.open(dir, BRANCH, GitAuth.NONE)) {
            assertThat(repo.hasRemote()).isTrue();
        }
        assertThat(Files.readString(dir.resolve(".git/config")))
                .doesNotContain(CANARY)
                .contains("url = https://github.com/acme/kb.git");
    }

    @Test
    void shouldNeverExposeSecretsFromFilesEnvironmentFilesOrGitHubAppsAnywhere() throws Exception {
        Path secrets = Files.createDirectories(tmp.resolve("secrets")).toRealPath();
        Path fileToken = Files.writeString(secrets.resolve("team-a"), CANARY + "-file\n");
        Path envFile = Files.writeString(tmp.resolve("worker.env"), "TEAM_B_TOKEN=" + CANARY + "-env\n");
        KeyPair appKey = TestKeys.rsa();
        Path pem = TestKeys.writePkcs1(appKey, secrets.resolve("app.pem"));
        String pemBody = Files.readAllLines(pem).get(1);
        Path remotes = Files.createDirectories(tmp.resolve("remotes"));
        dev.kbsync.worker.fixture.GitFixture.bareRemote(remotes.resolve("kb.git"));
        try (GitHubStandIn github = new GitHubStandIn("77", 88, appKey.getPublic(), Clock.systemUTC());
                GitHttpServer refusing = new GitHttpServer(remotes, password -> false);
                GitHttpServer accepting = new GitHttpServer(remotes, password -> true)) {
            CredentialResolver resolver = new CredentialResolver(
                    new CredentialSettings(
                            Optional.of(envFile),
                            List.of(secrets),
                            "",
                            Optional.empty(),
                            Optional.of(
                                    TokenHosts.parse(List.of(github.apiBase().replace("http://", ""))))),
                    Map.of(),
                    Clock.systemUTC());
            List<CredentialRef> references = List.of(
                    new CredentialRef.File(fileToken.toString(), null),
                    new CredentialRef.Env("TEAM_B_TOKEN", null),
                    new CredentialRef.GitHubApp("77", 88, pem.toString(), github.apiBase()));
            for (int i = 0; i < references.size(); i++) {
                CredentialRef reference = references.get(i);
                int n = i + 1;
                GitAuth refused = resolver.forKb(kb(refusing.url("kb.git"), reference));
                failures.add(catchThrowable(() -> KbRepository.cloneOrOpen(
                        refusing.url("kb.git"), BRANCH, tmp.resolve("refused-" + n), refused)));
                try (KbRepository repo = KbRepository.cloneOrOpen(
                        accepting.url("kb.git"),
                        BRANCH,
                        tmp.resolve("ok-" + n),
                        resolver.forKb(kb(accepting.url("kb.git"), reference)))) {
                    GitFixture.commitAndPush(repo, "n" + n + ".md", "n");
                }
            }
            List<String> presented = new ArrayList<>(refusing.passwords());
            presented.addAll(accepting.passwords());
            assertThat(presented).contains(CANARY + "-file", CANARY + "-env", github.lastToken());
            Files.delete(fileToken);
            failures.add(catchThrowable(() -> resolver.forKb(kb(accepting.url("kb.git"), references.get(0)))
                    .current()));
            assertThat(failures).hasSize(4).allSatisfy(this::assertClean);
            for (String secret : List.of(github.lastToken(), pemBody)) {
                assertThat(logs.list)
                        .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains(secret));
                assertThat(failures).noneSatisfy(f -> assertThat(f.toString()).contains(secret));
            }
        }
        assertNoLeakOnDiskOrInLogs();
    }

    private static KbConfig kb(String remote, CredentialRef reference) {
        return new KbConfig(KbId.of("leak"), remote, BRANCH).withCredentials(reference);
    }

    private void assertClean(Throwable failure) {
        assertThat(failure).isInstanceOf(GitException.class);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(CANARY);
            assertThat(t.toString()).doesNotContain(CANARY);
        }
    }

    private void assertNoLeakOnDiskOrInLogs() throws Exception {
        assertThat(logs.list).isNotEmpty();
        assertThat(logs.list).allSatisfy(e -> {
            assertThat(e.getFormattedMessage()).doesNotContain(CANARY);
            if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain(CANARY);
            }
        });
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path config : files.filter(p -> p.endsWith(".git/config") || p.endsWith("config"))
                    .toList()) {
                assertThat(Files.readString(config)).doesNotContain(CANARY);
            }
        }
    }
}
