package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.example.BotExample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStackIT {
    @TempDir
    Path data;

    @Test
    void shouldLandANoteInTheDemoKbAndComeBackUpOnTheSameData() throws Exception {
        String firstJob;
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), 0, 2))) {
            assertThat(stack.embeddedRedis()).isTrue();
            assertThat(UpCommand.banner(stack))
                    .contains(stack.baseUrl() + "/")
                    .contains("curl -s -X POST " + stack.baseUrl() + "/v1/kbs/demo/notes");
            firstJob = writeNote(stack, "chat-1");
        }
        try (EmbeddedStack again = EmbeddedStack.start(new StackOptions(data, Optional.empty(), 0, 1))) {
            String secondJob = writeNote(again, "chat-2");
            assertThat(secondJob).isNotEqualTo(firstJob);
            List<RemoteLog.Entry> log = RemoteLog.read(again.demoRemote(), "main");
            assertThat(log).extracting(RemoteLog.Entry::job).contains(firstJob, secondJob);
            assertThat(log).extracting(RemoteLog.Entry::subject).contains("Add: Standup");
        }
    }

    @Test
    void shouldRunTheNoteCommandAgainstTheStackAndExitZero() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), 0, 1))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream original = System.out;
            int exit;
            try {
                System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
                exit = KbsyncCli.run(
                        "note",
                        "--url",
                        stack.baseUrl().toString(),
                        "--kb",
                        "demo",
                        "--user",
                        "carol",
                        "--title",
                        "From the CLI",
                        "hello");
            } finally {
                System.setOut(original);
            }
            assertThat(exit).isZero();
            assertThat(bytes.toString(StandardCharsets.UTF_8))
                    .contains("done: commit ")
                    .contains("created from-the-cli.md");
            String url = stack.baseUrl().toString();
            bytes.reset();
            try {
                System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
                exit = KbsyncCli.run("queue", "--url", url);
            } finally {
                System.setOut(original);
            }
            assertThat(exit).isZero();
            assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("demo  (free)");
            assertThat(KbsyncCli.run("note", "--url", url, "--kb", "Bad KB", "--user", "c", "x"))
                    .as("an invalid KB id is a usage error, caught before any request")
                    .isEqualTo(ExitCodes.USAGE);
            assertThat(KbsyncCli.run("note", "--url", url, "--kb", "demo", "--user", "not a user!", "x"))
                    .as("the coordinator's 400 becomes exit code 4")
                    .isEqualTo(ExitCodes.REJECTED);
        }
    }

    /** The documented bot example (docs/api.md, "Java client") writes the note. */
    private static String writeNote(EmbeddedStack stack, String messageId) {
        Job job = BotExample.writeNote(stack.baseUrl(), null, messageId);
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(job.commit()).isNotBlank();
        return job.id();
    }
}
