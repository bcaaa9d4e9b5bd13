package dev.kbsync.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDocsTest {
    /** docs/ lives at the repository root; tests run in the module directory. */
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void shouldMatchTheCommittedConfigurationPage() throws IOException {
        assertThat(Files.readString(DOC))
                .as("docs/configuration.md is stale: regenerate it with ConfigDocs.main(\"docs/configuration.md\")")
                .isEqualTo(ConfigDocs.markdown());
    }

    @Test
    void shouldShowAnExampleThatLoads(@TempDir Path dir) throws IOException {
        String page = ConfigDocs.markdown();
        String example = page.substring(page.indexOf("```yaml\n") + 8, page.lastIndexOf("```"));
        Path file = Files.writeString(dir.resolve("coordinator.yaml"), example);

        CoordinatorConfig config = CoordinatorConfig.load(Optional.of(file), Map.of());

        assertThat(config.auth().tokens()).hasSize(4);
        assertThat(config.auth().tokens().get(3).kbs().matches("team-a-handbook"))
                .isTrue();
        assertThat(config.kbs()).hasSize(3);
        assertThat(config.kbs().get(1).notePath().pattern()).isEqualTo("readings/{shard}/{slug}.md");
        assertThat(config.kbs().get(2).credentials()).isPresent();
    }

    @Test
    void shouldDocumentEveryKeyWithItsEnvironmentVariable() {
        String page = ConfigDocs.markdown();
        for (ConfigKey key : ConfigKey.values()) {
            assertThat(page).contains("| `" + key.path() + "` | `" + key.env() + "` |");
            assertThat(key.env()).startsWith("KBSYNC_");
        }
    }
}
