package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.Jobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS remote that answers 404 (no such repository, or one the credential cannot see) fails the job with
 * {@code REMOTE_NOT_FOUND}, naming the repository's URL without its credentials and saying what to check.
 */
class RemoteNotFoundIT {
    private static final String TOKEN = "tok-404-canary-7c1e";

    @TempDir
    Path tmp;

    private GitHttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        GitFixture.bareRemote(tmp.resolve("remotes/team.git"));
        server = new GitHttpServer(tmp.resolve("remotes"), TOKEN::equals);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void shouldFailRemoteNotFoundForARepositoryTheServerDoesNotHave() {
        String url = server.url("missing.git");
        String withCredentials = url.replace("https://", "https://ada:" + TOKEN + "@");
        try (KbCheckout checkout = new KbCheckout(withCredentials, "main", tmp.resolve("cache/a"), GitAuth.NONE)) {
            Outcome outcome = cycle().run(checkout, note("job-1"));

            assertNotFound(outcome, url);
        }
    }

    @Test
    void shouldFailRemoteNotFoundWhenTheRepositoryIsGoneFromUnderACheckout() throws Exception {
        String url = server.url("team.git");
        try (KbCheckout checkout = new KbCheckout(
                url, "main", tmp.resolve("cache/b"), GitAuth.fixed(new GitCredentials("kbsync", TOKEN)))) {
            assertThat(cycle().run(checkout, note("job-2"))).isInstanceOf(Outcome.Published.class);
            Files.move(tmp.resolve("remotes/team.git"), tmp.resolve("moved.git"));

            Outcome outcome = cycle().run(checkout, note("job-3"));

            assertNotFound(outcome, url);
        }
    }

    private static void assertNotFound(Outcome outcome, String url) {
        assertThat(outcome).isInstanceOf(Outcome.Failed.class);
        Outcome.Failed failed = (Outcome.Failed) outcome;
        assertThat(failed.error().code()).isEqualTo("REMOTE_NOT_FOUND");
        assertThat(failed.error().message())
                .contains("the remote repository " + url + " was not found (HTTP 404)")
                .contains("check the URL, or that the credential can read it")
                .doesNotContain(TOKEN)
                .doesNotContain("ada@");
    }

    private static NoteUnit note(String id) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, null), 3);
    }

    private static PublishCycle cycle() {
        return new PublishCycle(new PushRetry(0, Duration.ofMillis(10)), PhaseListener.NONE, d -> {});
    }
}
