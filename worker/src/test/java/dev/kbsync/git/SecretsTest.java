package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void shouldIgnoreTooShortSecretsSoMessagesStayReadable() {
        Secrets.register("ab");
        assertThat(Secrets.mask("about")).isEqualTo("about");
    }
}
