package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandIT {
    @TempDir
    Path data;

    @Test
    void shouldLandEveryNoteOnceAndSayOk() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            exit = KbsyncCli.run("demo", "--users", "3", "--notes", "2", "--data-dir", data.toString());
        } finally {
            System.setOut(original);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        assertThat(out)
                .contains("git log of the demo KB")
                .contains("OK: 6 notes submitted, 6 done, 6 in the remote exactly once, 0 unexpected commits;"
                        + " fencing tokens strictly increasing; history linear");
    }

    @Test
    void shouldRefuseMoreNotesThanTheRateLimitAllows() {
        assertThat(KbsyncCli.run("demo", "--notes", "21", "--data-dir", data.toString()))
                .isEqualTo(ExitCodes.USAGE);
    }
}
