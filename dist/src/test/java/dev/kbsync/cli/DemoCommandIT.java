package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandIT {
    @TempDir
    Path data;

    @Test
    void shouldLandEveryNoteOnceAndSayOk() {
        String out = demo("--users", "3", "--notes", "2", "--data-dir", data.toString());
        assertThat(out)
                .contains("git log of the demo KB")
                .contains("OK: 6 notes submitted, 6 done, 6 in the remote exactly once, 0 unexpected commits;"
                        + " fencing tokens strictly increasing; history linear");
    }

    /** Without --data-dir the demo runs in a directory of its own, which a passing run removes. */
    @Test
    void shouldRemoveItsOwnDirectoryAfterAPassingRun() {
        String out = demo("--users", "1", "--notes", "1");
        Path logs = Path.of(out.lines()
                .filter(l -> l.startsWith("logs: "))
                .findFirst()
                .orElseThrow()
                .substring("logs: ".length()));
        Path dir = logs.getParent().getParent();
        assertThat(dir.getFileName().toString()).as(out).startsWith("kbsync-demo");
        assertThat(dir).as(out).doesNotExist();
    }

    @Test
    void shouldRefuseMoreNotesThanTheRateLimitAllows() {
        assertThat(KbsyncCli.run("demo", "--notes", "21", "--data-dir", data.toString()))
                .isEqualTo(ExitCodes.USAGE);
    }

    /** Runs {@code kbsync demo args}, asserts it passed, and returns what it printed. */
    private static String demo(String... args) {
        return CliRun.succeeding(
                Stream.concat(Stream.of("demo"), Stream.of(args)).toArray(String[]::new));
    }
}
