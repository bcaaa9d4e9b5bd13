package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ls-remote} through the worker's transport and credentials: a branch, a missing one, and remotes that fail. */
class RemoteProbeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String CANARY = "probe-canary-token-0001";

    @TempDir
    Path tmp;

    @Test
    void shouldFindTheBranchAndItsCommit() {
        GitFixture fixture = GitFixture.seeded(tmp);

        RemoteProbe.Result result = RemoteProbe.branch(fixture.url(), "main", GitAuth.NONE, TIMEOUT);

        assertThat(result).isInstanceOf(RemoteProbe.Found.class);
        assertThat(((RemoteProbe.Found) result).commit()).hasSize(40);
    }

    @Test
    void shouldListTheBranchesWhenTheOneAskedForIsMissing() {
        GitFixture fixture = GitFixture.seeded(tmp);

        assertThat(RemoteProbe.branch(fixture.url(), "notes", GitAuth.NONE, TIMEOUT))
                .isEqualTo(new RemoteProbe.NoBranch(java.util.List.of("main")));
    }

    @Test
    void shouldSayWhyARemoteCannotBeRead() {
        assertThat(RemoteProbe.branch(tmp.resolve("nowhere.git").toString(), "main", GitAuth.NONE, TIMEOUT))
                .isInstanceOfSatisfying(
                        RemoteProbe.Failed.class, f -> assertThat(f.message()).contains("not found"));
    }

    @Test
    void shouldSendTheWorkersCredentialsAndNeverShowThem() throws Exception {
        try (UnauthorizedServer server = new UnauthorizedServer()) {
            RemoteProbe.Result result =
                    RemoteProbe.branch(server.url(), "main", GitAuth.fixed(new GitCredentials("ada", CANARY)), TIMEOUT);

            assertThat(server.authorizations()).as("the token was offered").isNotEmpty();
            assertThat(result)
                    .isInstanceOfSatisfying(
                            RemoteProbe.Failed.class,
                            f -> assertThat(f.message())
                                    .contains(GitFailures.AUTH_HELP)
                                    .doesNotContain(CANARY));
        }
    }
}
