package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * An unexpected failure (a defect) says where its details are: {@code --verbose} only to a command that has it; a
 * command without it (its log lines are on stderr already) points at those.
 */
class UnexpectedFailureTest {
    @Test
    void shouldAskForVerboseOnlyWhereTheCommandHasIt() {
        for (String command : new String[] {"coordinator", "worker", "jobs", "cancel", "retry", "workers", "admin"}) {
            assertThat(unexpected(command))
                    .as(command)
                    .startsWith("error: unexpected failure: java.lang.IllegalStateException: boom")
                    .doesNotContain("--verbose");
        }
        for (String command : new String[] {"up", "demo", "note", "queue"}) {
            assertThat(unexpected(command)).as(command).contains("(run again with --verbose for details)");
        }
    }

    /** What {@code command} prints for a failure nobody expected, and that it exits 70. */
    private static String unexpected(String command) {
        CommandLine sub = new CommandLine(KbsyncCli.class).getSubcommands().get(command);
        StringWriter err = new StringWriter();
        sub.setErr(new PrintWriter(err, true));
        int exit = new Errors().handleExecutionException(new IllegalStateException("boom"), sub, null);
        assertThat(exit).isEqualTo(ExitCodes.INTERNAL);
        return err.toString().strip();
    }
}
