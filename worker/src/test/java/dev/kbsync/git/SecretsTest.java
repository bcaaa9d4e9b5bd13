package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void shouldMaskPasswordsInUrls() {
        assertThat(Secrets.mask("fatal: https://ada:ghp_abc123@github.com/acme/kb.git not found"))
                .isEqualTo("fatal: https://ada:***@github.com/acme/kb.git not found");
    }

    @Test
    void shouldMaskTokenParameters() {
        assertThat(Secrets.mask("GET /x?token=abc&y=1 access_token=zzz"))
                .isEqualTo("GET /x?token=***&y=1 access_token=***");
    }

    @Test
    void shouldMaskRegisteredSecretsAnywhere() {
        Secrets.register("s3cr3t-value-xyz");
        assertThat(Secrets.mask("header Authorization: s3cr3t-value-xyz; again s3cr3t-value-xyz"))
                .isEqualTo("header Authorization: ***; again ***");
    }

    @Test
    void shouldLeaveOrdinaryTextAndUsersAlone() {
        assertThat(Secrets.mask("https://github.com/acme/kb.git and git@github.com:acme/kb.git"))
                .isEqualTo("https://github.com/acme/kb.git and git@github.com:acme/kb.git");
        assertThat(Secrets.mask(null)).isNull();
    }

    /**
     * An agent's answer (up to 16,384 characters) and git's messages are masked; a long run of letters once made the
     * URL pattern try every start of the run against every length (16,384 letters: 5 s of CPU). Linear, a megabyte
     * takes milliseconds; quadratic, hours. The bound is only there to end the test.
     */
    @Test
    void shouldMaskLongRunsOfSchemeCharactersInLinearTime() {
        String run = "x".repeat(1_000_000);

        String masked = assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> Secrets.mask(run + " https://ada:pw@github.com/a.git " + run));

        assertThat(masked).contains(" https://ada:***@github.com/a.git ").hasSize(2_000_000 + 34);
    }

    @Test
    void shouldIgnoreTooShortSecretsSoMessagesStayReadable() {
        Secrets.register("ab");
        assertThat(Secrets.mask("about")).isEqualTo("about");
    }
}
