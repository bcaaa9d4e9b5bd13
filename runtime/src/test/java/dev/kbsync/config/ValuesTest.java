package dev.kbsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValuesTest {
    private static Values<SampleKey> env(String variable, String value) {
        return KeyTable.of(SampleKey.class).read(Optional.empty(), Map.of(variable, value));
    }

    @Test
    void shouldParseDurations() {
        assertThat(env("KBSYNC_AGENT_TIMEOUT", "500ms").duration(SampleKey.TIMEOUT))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(env("KBSYNC_AGENT_TIMEOUT", "10m").duration(SampleKey.TIMEOUT))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(env("KBSYNC_AGENT_TIMEOUT", "30s").duration(SampleKey.TIMEOUT))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(env("KBSYNC_AGENT_TIMEOUT", "30").duration(SampleKey.TIMEOUT))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(env("KBSYNC_AGENT_TIMEOUT", "PT2S").duration(SampleKey.TIMEOUT))
                .isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> env("KBSYNC_AGENT_TIMEOUT", "2h").duration(SampleKey.TIMEOUT))
                .hasMessage("agent.timeout: must be a duration (30s, 500ms, 10m or PT30S), got \"2h\"");
    }

    @Test
    void shouldSplitAnEnvironmentArgvOnWhitespace() {
        assertThat(env("KBSYNC_AGENT_COMMAND", " /opt/agent  --fast ").words(SampleKey.COMMAND))
                .contains(List.of("/opt/agent", "--fast"));
    }

    @Test
    void shouldExplainBadScalarsWithoutShowingCredentials() {
        assertThatThrownBy(() -> env("KBSYNC_HTTP_PORT", "eighty").integer(SampleKey.PORT))
                .hasMessage("http.port: must be an integer, got \"eighty\"");
        assertThatThrownBy(() -> env("KBSYNC_AUTH_ENABLED", "yes").bool(SampleKey.ENABLED))
                .hasMessage("auth.enabled: must be true or false, got \"yes\"");
        assertThatThrownBy(() -> env("KBSYNC_HTTP_PORT", "redis://u:pw@h").integer(SampleKey.PORT))
                .hasMessage("http.port: must be an integer, got \"redis://***@h\"");
        assertThatThrownBy(() -> env("KBSYNC_HTTP_PORT", "1").text(SampleKey.ID))
                .hasMessage("node.id: must be set");
    }

    @Test
    void shouldJoinListFieldsAndFlattenObjectFieldsOfListEntries() {
        Map<String, Object> entry = Map.of(
                "id", "team-a",
                "kbs", List.of("team-a", "team-b-*"),
                "credentials", Map.of("githubApp", Map.of("appId", 12, "installationId", 34)));
        Values<SampleKey> values = new Values<>(Map.of(SampleKey.COMMAND, List.of(entry)));

        List<Map<String, String>> read = values.list(SampleKey.COMMAND, List.of("id", "kbs", "credentials.*"), null);

        assertThat(read)
                .containsExactly(Map.of(
                        "id", "team-a",
                        "kbs", "team-a,team-b-*",
                        "credentials.githubApp.appId", "12",
                        "credentials.githubApp.installationId", "34"));
        assertThatThrownBy(() -> new Values<>(Map.of(SampleKey.COMMAND, List.of(Map.of("credentials", "x"))))
                        .list(SampleKey.COMMAND, List.of("credentials.*"), null))
                .hasMessage("agent.command[0].credentials: must be an object");
        assertThatThrownBy(() -> new Values<>(Map.of(SampleKey.COMMAND, List.of(Map.of("credential", Map.of()))))
                        .list(SampleKey.COMMAND, List.of("id", "credentials.*"), null))
                .hasMessage("agent.command[0]: unknown key 'credential'; did you mean 'credentials'?");
    }
}
