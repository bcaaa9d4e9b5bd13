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

    /** A variable holding a secret is one whose value is it, or contains a long one: a short one may be there by chance. */
    @Test
    void shouldTellAValueHoldingARegisteredSecret() {
        Secrets.register("git1");
        Secrets.register("long-registered-secret-42");
        try {
            assertThat(Secrets.holdsSecret("git1")).isTrue();
            assertThat(Secrets.holdsSecret("/usr/local/git1/bin:/usr/bin"))
                    .as("a short one by chance")
                    .isFalse();
            assertThat(Secrets.holdsSecret("Bearer long-registered-secret-42")).isTrue();
            assertThat(Secrets.holdsSecret("nothing here")).isFalse();
        } finally {
            Secrets.forget("git1");
            Secrets.forget("long-registered-secret-42");
        }
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
