package dev.kbsync.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BotExampleTest {
    /** docs/ lives at the repository root; tests run in the module directory. */
    private static final Path PAGE = Path.of("..", "docs", "api.md");

    private static final Path SOURCE = Path.of("src", "test", "java", "dev", "kbsync", "example", "BotExample.java");

    @Test
    void shouldShowTheTestedExampleOnTheApiPage() throws IOException {
        List<String> lines = Files.readAllLines(SOURCE);
        int begin = lines.indexOf("        // docs/api.md: begin");
        int end = lines.indexOf("        // docs/api.md: end");
        String example = lines.subList(begin + 1, end).stream()
                .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"));

        assertThat(begin).isPositive();
        assertThat(Files.readString(PAGE))
                .as("docs/api.md must show BotExample's code as it is")
                .contains(example);
    }
}
