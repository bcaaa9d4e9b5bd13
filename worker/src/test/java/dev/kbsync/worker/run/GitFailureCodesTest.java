package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.git.AuthFailedException;
import dev.kbsync.git.GitException;
import org.junit.jupiter.api.Test;

class GitFailureCodesTest {
    /**
     * A failure is an authorization failure because the git layer found it so, not because its message holds "auth"
     * somewhere: a remote whose URL does (an organisation named auth-team) fails a sync as PULL_FAILED.
     */
    @Test
    void shouldNotTakeAUrlThatHoldsAuthForAnAuthorizationFailure() {
        GitException broken = new GitException(
                "Git error during fetch: https://git.example.org/auth-team/kb.git: not a valid pack: truncated");

        assertThat(GitFailureCodes.ofSync(broken)).isEqualTo("PULL_FAILED");
    }

    @Test
    void shouldTakeWhatTheGitLayerFoundARefusedCredentialForOne() {
        assertThat(GitFailureCodes.ofSync(new AuthFailedException("Git error during fetch: not authorized", null)))
                .isEqualTo("AUTH_FAILED");
    }
}
