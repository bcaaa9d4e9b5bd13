package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a CLI command in this JVM and returns what it printed. */
final class CliRun {
    private CliRun() {}

    /** What a command printed on stdout and stderr, and its exit code. */
    record Ran(int exit, String out, String err) {}

    /** Runs a command that must exit 0; its stdout. */
    static String succeeding(String... args) {
        Ran ran = run(args);
        assertThat(ran.exit()).as(ran.out() + ran.err()).isZero();
        return ran.out();
    }

    static Ran run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = KbsyncCli.run(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Ran(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
