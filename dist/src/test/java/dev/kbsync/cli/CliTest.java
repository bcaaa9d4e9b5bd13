package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CliTest {
    @Test
    void shouldPrintTheVersionMavenBuilt() {
        String version = Version.of();

        assertThat(version).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?").isEqualTo(System.getProperty("kbsync.version"));
        assertThat(out("--version")).startsWith("kbsync " + version + System.lineSeparator() + "Java ");
    }

    @Test
    void shouldGenerateTheBashCompletionFromTheCommandLineDefinition() {
        String script = out("completion", "bash");

        assertThat(script)
                .contains("complete -F _complete_kbsync")
                .contains(
                        "up demo doctor coordinator worker note agent queue jobs cancel retry workers admin completion")
                .contains("--data-dir", "--redis-fsync", "--worker-config", "--verbose");
    }

    @Test
    void shouldSummarizeEveryCommandInWholeSentencesInTheHelp() {
        // the command list shows a command's header, else its description's first line: not a sentence cut off
        String help = out("--help");
        String commands = help.substring(help.indexOf("Commands:"));
        // a summary ends where the next command's name starts (a line indented by two spaces)
        for (String summary : commands.split("\\R  (?=\\S)")) {
            if (summary.startsWith("Commands:")) {
                continue;
            }
            assertThat(summary.strip()).as(summary).endsWith(".");
        }
    }

    private static String out(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertThat(KbsyncCli.run(args)).isZero();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
