package dev.kbsync.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {
    private final TokenAuthenticator authenticator = new TokenAuthenticator(List.of(
            new Token("admin-token-00000001", Role.ADMIN),
            new Token("worker-token-0000001", Role.WORKER),
            new Token("client-token-0000001", Role.CLIENT)));

    @Test
    void shouldFindTheRoleOfAConfiguredToken() {
        assertThat(authenticator.roleOf("worker-token-0000001")).contains(Role.WORKER);
        assertThat(authenticator.roleOf("client-token-0000001")).contains(Role.CLIENT);
    }

    @Test
    void shouldRejectUnknownPrefixedAndEmptyTokens() {
        assertThat(authenticator.roleOf("worker-token-000000")).isEmpty();
        assertThat(authenticator.roleOf("worker-token-00000011")).isEmpty();
        assertThat(authenticator.roleOf("")).isEmpty();
    }

    @Test
    void shouldGrantAdminEverythingAndKeepClientsAndWorkersApart() {
        for (Access access : Access.values()) {
            assertThat(Role.ADMIN.allows(access)).isTrue();
        }
        assertThat(Role.CLIENT.allows(Access.SUBMIT)).isTrue();
        assertThat(Role.CLIENT.allows(Access.WORK)).isFalse();
        assertThat(Role.WORKER.allows(Access.WORK)).isTrue();
        assertThat(Role.WORKER.allows(Access.SUBMIT)).isFalse();
        assertThat(Role.WORKER.allows(Access.READ)).isTrue();
        assertThat(Role.CLIENT.allows(Access.ADMIN)).isFalse();
    }

    @Test
    void shouldMaskTheSecretInToString() {
        assertThat(new Token("admin-token-00000001", Role.ADMIN).toString()).isEqualTo("Token[***, admin]");
    }
}
