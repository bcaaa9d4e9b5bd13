package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.BRANCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A canary token goes through clone, pull and push, failing and succeeding; it must never surface. */
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
                "https://ada:" + CANARY + "@127.0.0.1:" + closed + "/x.git",
                BRANCH,
                tmp.resolve("a"),
                Optional.empty())));
        failures.add(catchThrowable(() -> KbRepository.cloneOrOpen(
                "https://127.0.0.1:" + closed + "/x.git", BRANCH, tmp.resolve("b"), Optional.of(CREDENTIALS))));
        try (UnauthorizedServer server = new UnauthorizedServer()) {
            failures.add(catchThrowable(
                    () -> KbRepository.cloneOrOpen(server.url(), BRANCH, tmp.resolve("c"), Optional.of(CREDENTIALS))));
            try (KbRepository repo =
                    GitFixture.localWithOrigin(tmp.resolve("local"), server.url(), Optional.of(CREDENTIALS))) {
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
                KbRepository.cloneOrOpen(fixture.url(), BRANCH, tmp.resolve("ok"), Optional.of(CREDENTIALS))) {
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
        try (KbRepository repo = KbRepository.open(dir, BRANCH, Optional.empty())) {
            assertThat(repo.hasRemote()).isTrue();
        }
        assertThat(Files.readString(dir.resolve(".git/config")))
                .doesNotContain(CANARY)
                .contains("url = https://github.com/acme/kb.git");
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
