package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.AUTHOR;
import static dev.kbsync.git.GitFixture.BRANCH;
import static dev.kbsync.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.worker.fixture.GitHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push refused by the server's pre-receive hook (C git's receive-pack behind HTTPS, the hook's stderr sent to the
 * pusher as {@code remote:} lines) says why: the hook's own words, bounded and without control characters.
 */
class HookRefusalIT {
    private static final Path FENCE_HOOK = Path.of("..", "deploy", "hooks", "kbsync-fence-pre-receive");
    private static final GitAuth AUTH = GitAuth.fixed(new GitCredentials("ada", "hook-test-token"));

    @TempDir
    Path tmp;

    private GitHttpServer server;
    private GitFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = GitFixture.seeded(tmp.resolve("remotes"));
        server = new GitHttpServer(tmp.resolve("remotes"), password -> true);
        server.runHooks(true);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void shouldTellTheFenceHooksReasonWhenItRefusesAPush() throws Exception {
        installHook(Files.readString(FENCE_HOOK));
        try (KbRepository repo = cloneOverHttps()) {
            commit(repo, "fresh", "5");
            assertThat(repo.push()).isInstanceOf(PushResult.Pushed.class);
            commit(repo, "stale", "4");

            PushResult push = repo.push();

            assertThat(push).isInstanceOf(PushResult.Rejected.class);
            assertThat(push.message())
                    .contains("pre-receive hook declined")
                    .contains("kbsync: refused")
                    .contains("carries Kbsync-Fence 4 for KB team, but the branch is already fenced at 5");
        }
    }

    @Test
    void shouldBoundTheHooksMessageAndDropItsControlCharacters() throws Exception {
        installHook("#!/bin/sh\n"
                + "printf 'protected branch:\\033[31m ask an admin\\033[0m\\r\\n' >&2\n"
                + "head -c 5000 /dev/zero | tr '\\0' x >&2\n"
                + "exit 1\n");
        try (KbRepository repo = cloneOverHttps()) {
            commit(repo, "any", "1");

            PushResult push = repo.push();

            assertThat(push).isInstanceOf(PushResult.Rejected.class);
            assertThat(push.message())
                    .contains("protected branch: ask an admin")
                    .doesNotContain("\u001b", "\r", "\n")
                    .hasSizeLessThan(700);
        }
    }

    private KbRepository cloneOverHttps() {
        return KbRepository.cloneOrOpen(server.url("remote.git"), BRANCH, tmp.resolve("clone"), AUTH);
    }

    private void installHook(String script) throws Exception {
        Path hook = fixture.remoteDir().resolve("hooks/pre-receive");
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, script);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void commit(KbRepository repo, String subject, String fence) {
        write(repo, subject + ".md", subject + "\n");
        repo.commit("Add: " + subject, AUTHOR, Map.of("Kbsync-Fence", fence, "Kbsync-Kb", "team"));
    }
}
