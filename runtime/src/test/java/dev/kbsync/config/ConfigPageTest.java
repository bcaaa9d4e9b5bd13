package dev.kbsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigPageTest {
    @Test
    void shouldListEveryKeyWithItsVariableAndDefault() {
        String page = ConfigPage.markdown(
                "Sample configuration", "Intro.\n", List.of(SampleKey.values()), "http: {port: 1}\n");

        assertThat(page)
                .startsWith("# Sample configuration\n\nIntro.\n\n| key | environment | default | meaning |\n")
                .contains("| `http.port` | `KBSYNC_HTTP_PORT` | `8080` | The http.port. |\n")
                .contains("| `agent.command` | `KBSYNC_AGENT_COMMAND` | (none) | The agent.command. |\n")
                .endsWith("## Example\n\n```yaml\nhttp: {port: 1}\n```\n");
    }
}
