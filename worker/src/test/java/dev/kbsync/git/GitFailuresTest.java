package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.JGitText;
import org.junit.jupiter.api.Test;

class GitFailuresTest {
    /**
     * A remote that refuses the service (HTTP 403: a token without write access, or without access at all) is an
     * authorization failure, as a 401 is: not retried, and told with the credential hints, not as a network error.
     */
    @Test
    void shouldTakeAServiceTheRemoteDoesNotPermitForAnAuthorizationFailure() {
        String url = "https://git.example.org/team/kb.git";
        for (String service : new String[] {"git-receive-pack", "git-upload-pack"}) {
            TransportException refused = new TransportException(
                    url + ": " + java.text.MessageFormat.format(JGitText.get().serviceNotPermitted, url, service));

            assertThat(GitFailures.isAuthFailure(refused))
                    .as(refused.getMessage())
                    .isTrue();
        }
    }

    @Test
    void shouldNotTakeAConnectionFailureForOne() {
        assertThat(GitFailures.isAuthFailure(new TransportException("https://h/kb.git: Connection refused")))
                .isFalse();
    }
}
