package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.cli.CliRun.Ran;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
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

    @Test
    void shouldRefuseAnEmptyDataDirBeforeTouchingAnything() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) { // were the data dir accepted, the taken port would answer 7
            String port = Integer.toString(taken.getLocalPort());
            refused(CliRun.run("up", "--data-dir", "", "--port", port), ExitCodes.USAGE)
                    .contains("--data-dir");
            refused(CliRun.run("demo", "--data-dir", " ", "--port", port), ExitCodes.USAGE)
                    .contains("--data-dir");
        }
    }

    /**
     * An agent the workers could not run (a path that is no executable file, a name not on PATH) is refused at start:
     * else the stack would advertise agent workers and fail every agent task when it runs.
     */
    @Test
    void shouldRefuseAnAgentThatCannotBeRunBeforeTouchingAnything() throws IOException {
        Path notExecutable = Files.writeString(dir.resolve("agent.sh"), "#!/bin/sh\n");
        Path data = dir.resolve("d");
        try (ServerSocket taken = new ServerSocket(0)) { // were the agent accepted, the taken port would answer 7
            String port = Integer.toString(taken.getLocalPort());
            for (String agent :
                    new String[] {"/no/such/program --flag", notExecutable.toString(), "no-such-agent-xyz"}) {
                String program = agent.split(" ")[0];
                for (String command : new String[] {"up", "demo"}) {
                    refused(
                                    CliRun.run(
                                            command, "--data-dir", data.toString(), "--port", port, "--agent", agent),
                                    ExitCodes.USAGE)
                            .contains("--agent", program)
                            .contains(program.contains("/") ? "is not an executable file" : "is not on PATH");
                }
            }
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void shouldRefuseACaFileThatCannotBeReadOrHoldsNoCertificateAsAUsageError() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.pem"));
        Path junk = Files.writeString(
                dir.resolve("junk.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        for (Path ca : new Path[] {empty, junk, dir.resolve("missing.pem"), dir}) {
            refused(CliRun.run("workers", "--url", NOWHERE, "--ca-file", ca.toString()), ExitCodes.USAGE)
                    .contains("--ca-file", ca.toString())
                    .doesNotContain("is it running?");
        }
    }

    /** A --redis that is no usable URI is a usage error, its password masked: not an unexpected failure (exit 70). */
    @Test
    void shouldRefuseAMalformedRedisUriAsAUsageErrorWithoutItsPassword() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) { // were the URI accepted, the taken port would answer 7
            String port = Integer.toString(taken.getLocalPort());
            for (String redis : new String[] {"redis://:s3cret@bad host:6379", "redis://:s3cret@127.0.0.1:99999"}) {
                refused(
                                CliRun.run(
                                        "up",
                                        "--data-dir",
                                        dir.resolve("d").toString(),
                                        "--port",
                                        port,
                                        "--redis",
                                        redis),
                                ExitCodes.USAGE)
                        .contains("--redis", "***")
                        .doesNotContain("s3cret");
            }
        }
    }

    @Test
    void shouldRefuseAMalformedUrlAsAUsageErrorNamingTheFlag() {
        for (String url : new String[] {"http://127.0.0.1:99999", "http://[bad", "ftp://host"}) {
            refused(CliRun.run("jobs", "--url", url), ExitCodes.USAGE)
                    .contains("--url", url)
                    .doesNotContain("is it running?");
        }
    }

    @Test
    void shouldNeverEchoAToken() {
        Ran trailingNewline = CliRun.run("workers", "--url", "http://127.0.0.1:1", "--token", "s3cret-token\n");
        refused(trailingNewline, ExitCodes.UNREACHABLE).doesNotContain("s3cret");

        refused(CliRun.run("workers", "--url", "http://127.0.0.1:1", "--token", "s3cret\ntoken"), ExitCodes.USAGE)
                .contains("--token")
                .doesNotContain("s3cret");
    }

    /**
     * Exactly one {@code error:} line on stderr, nothing on stdout, exit {@code code}; the line to check further. The
     * commands run inside the test JVM, whose log lines share its stderr: a Vert.x event loop starved for 2 s by a
     * loaded machine (its blocked-thread warning, from any Vert.x of the JVM) is not the command's output.
     */
    static AbstractStringAssert<?> refused(Ran ran, int code) {
        assertThat(ran.exit()).as(ran.err()).isEqualTo(code);
        assertThat(ran.out()).as("stdout").isEmpty();
        java.util.List<String> lines = ran.err()
                .lines()
                .filter(line -> !line.contains("logger=i.v.core.impl.BlockedThreadChecker"))
                .toList();
        assertThat(lines).as("stderr").hasSize(1);
        return assertThat(lines.get(0).strip()).startsWith("error: ").doesNotContain("\tat ", "Exception");
    }
}
