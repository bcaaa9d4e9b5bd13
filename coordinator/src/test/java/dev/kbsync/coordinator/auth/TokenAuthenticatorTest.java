package dev.kbsync.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {
    /** sha256 of "hashed-token-000000001", as an operator would put it in the config instead of the token. */
    private static final String HASHED = "sha256:" + Token.digestOf("hashed-token-000000001");

    private final TokenAuthenticator authenticator = new TokenAuthenticator(List.of(
            Token.of("admin-token-00000001", Role.ADMIN),
            Token.of("worker-token-0000001", Role.WORKER),
            Token.of("client-token-0000001", Role.CLIENT),
            new Token(
                    "team-a-bot",
                    Token.digestOf(HASHED),
                    Role.CLIENT,
                    NamePatterns.parse("team-a-*"),
                    NamePatterns.parse("discord-1,discord-2"),
                    5)));

    @Test
    void shouldFindTheCallerOfAConfiguredToken() {
        assertThat(authenticator.callerOf("worker-token-0000001").map(Caller::role))
                .contains(Role.WORKER);
        assertThat(authenticator.callerOf("client-token-0000001").map(Caller::role))
                .contains(Role.CLIENT);
    }

    @Test
    void shouldFindATokenGivenOnlyAsItsHashWithItsScopes() {
        Caller bot = authenticator.callerOf("hashed-token-000000001").orElseThrow();
        assertThat(bot.name()).isEqualTo("team-a-bot");
        assertThat(bot.mayUse("team-a-notes")).isTrue();
        assertThat(bot.mayUse("team-b-notes")).isFalse();
        assertThat(bot.mayActAs("discord-2")).isTrue();
        assertThat(bot.mayActAs("discord-3")).isFalse();
        assertThat(bot.quota()).isEqualTo(5);
        assertThat(authenticator.callerOf(HASHED)).isEmpty();
    }

    @Test
    void shouldRejectUnknownPrefixedAndEmptyTokens() {
        assertThat(authenticator.callerOf("worker-token-000000")).isEmpty();
        assertThat(authenticator.callerOf("worker-token-00000011")).isEmpty();
        assertThat(authenticator.callerOf("")).isEmpty();
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
    void shouldKeepNoSecretAndShowOnlyTheNameInToString() {
        Token token = Token.of("admin-token-00000001", Role.ADMIN);
        assertThat(token.toString()).doesNotContain("admin-token-00000001").contains(token.name(), "admin");
        assertThat(token.sha256()).hasSize(64).isNotEqualTo("admin-token-00000001");
        assertThat(token.name()).startsWith("admin-");
    }

    @Test
    void shouldRefuseShortTokensAndMalformedHashes() {
        assertThatThrownBy(() -> Token.digestOf("short")).hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> Token.digestOf("sha256:abc")).hasMessageContaining("must be sha256:<64 hex digits>");
        // long enough to pass for a token: taken as one, anyone reading the config could use it
        assertThatThrownBy(() -> Token.digestOf("sha256:" + "a".repeat(63)))
                .hasMessageContaining("must be sha256:<64 hex digits>");
        assertThatThrownBy(() -> Token.digestOf("sha256:" + "a".repeat(64) + "  -"))
                .hasMessageContaining("must be sha256:<64 hex digits>");
        assertThat(Token.digestOf("sha256:" + "a".repeat(64))).isEqualTo("a".repeat(64));
        assertThat(Token.digestOf("SHA256:" + "A".repeat(64))).isEqualTo("a".repeat(64));
    }

    @Test
    void shouldMatchScopeNamesAndPrefixes() {
        assertThat(NamePatterns.parse("*").any()).isTrue();
        assertThat(NamePatterns.parse(" team-a , team-b-* ").matches("team-b-x"))
                .isTrue();
        assertThat(NamePatterns.parse("team-a").matches("team-ab")).isFalse();
        assertThat(NamePatterns.parse("alice").single()).contains("alice");
        assertThat(NamePatterns.parse("alice,bob").single()).isEmpty();
        assertThatThrownBy(() -> NamePatterns.parse("a*b")).hasMessageContaining("prefix ending in *");
    }
}
