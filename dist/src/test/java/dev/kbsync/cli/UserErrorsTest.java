package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.cli.CliRun.Ran;
import java.nio.file.Path;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's mistake, refused in one {@code error:} line on stderr with a documented exit code, before any request. */
class UserErrorsTest {
    /** Nothing listens there: a command that sent a request would fail with exit 3 instead. */
    private static final String NOWHERE = "https://127.0.0.1:1";

    @TempDir
    Path dir;

    @Test
    void shouldRefuseAnEmptyOrMalformedJobIdBeforeAnyRequest() {
        refused(CliRun.run("cancel", "--url", NOWHERE, ""), ExitCodes.USAGE).contains("job id");
        refused(CliRun.run("cancel", "--url", NOWHERE, "a/b"), ExitCodes.USAGE).contains("job id");
    }

    /** Exactly one {@code error:} line on stderr, nothing on stdout, exit {@code code}; the line to check further. */
    static AbstractStringAssert<?> refused(Ran ran, int code) {
        assertThat(ran.exit()).as(ran.err()).isEqualTo(code);
        assertThat(ran.out()).as("stdout").isEmpty();
        assertThat(ran.err().lines()).as("stderr").hasSize(1);
        return assertThat(ran.err().strip()).startsWith("error: ").doesNotContain("\tat ", "Exception");
    }
}
