package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RemoteTextTest {
    @Test
    void shouldMaskASecretBeforeCuttingTheTextShort() {
        String token = "ghp_remote-text-canary-0042";
        Secrets.register(token);
        try {
            String reason = "pre-receive hook declined";
            int before = RemoteText.MAX_LENGTH - 10 - (reason + "; the remote said: ").length();
            String said = "x".repeat(before) + token; // the token straddles the cut

            String refusal = RemoteText.refusal(reason, said);

            assertThat(refusal).doesNotContain(token.substring(0, 6)).hasSizeLessThanOrEqualTo(RemoteText.MAX_LENGTH);
        } finally {
            Secrets.forget(token);
        }
    }

    @Test
    void shouldSayNothingWhenTheRemoteSaidNothing() {
        assertThat(RemoteText.refusal(null, "\r\n")).isNull();
        assertThat(RemoteText.refusal("hook declined", "")).isEqualTo("hook declined");
    }
}
