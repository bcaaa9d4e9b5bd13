package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.redis.Fsync;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's commands against a real embedded stack (auth off: every request is admin). */
class OperatorCommandsIT {
    @TempDir
    Path data;

    @Test
    void shouldListWorkersForceReleaseAndSayWhatTheCoordinatorDoesNotOfferYet() throws Exception {
        try (EmbeddedStack stack =
                EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.EVERYSEC, 0, 2))) {
            String url = stack.baseUrl().toString();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(run("workers", "--url", url))
                            .containsPattern("up-worker-1  up  \\S+  v\\S+  2 slots, 2 idle  seen [0-9.]+ s ago")
                            .contains("up-worker-2  up  "));

            assertThat(run("admin", "force-release", "--url", url, "--kb", "demo"))
                    .isEqualTo("released demo" + System.lineSeparator());
            assertThat(KbsyncCli.run("admin", "force-release", "--url", url, "--kb", "Bad KB"))
                    .as("an invalid KB id is a usage error, caught before any request")
                    .isEqualTo(ExitCodes.USAGE);
            assertThat(KbsyncCli.run("admin", "force-release", "--url", url, "--kb", "nope"))
                    .as("the coordinator's 404 becomes exit code 4")
                    .isEqualTo(ExitCodes.REJECTED);

            // The job list and cancel routes come with the bots' half of issue 13; until a coordinator offers them,
            // the commands say so clearly (exit 4). When the routes land, this part turns into their end-to-end test.
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream original = System.err;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                assertThat(KbsyncCli.run("jobs", "--url", url, "--kb", "demo", "--state", "failed"))
                        .isEqualTo(ExitCodes.REJECTED);
                assertThat(KbsyncCli.run("cancel", "--url", url, "some-job")).isEqualTo(ExitCodes.REJECTED);
            } finally {
                System.setErr(original);
            }
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("error: NOT_FOUND: this coordinator does not offer the job list (GET /v1/jobs)")
                    .contains("error: METHOD_NOT_ALLOWED: this coordinator does not offer cancelling jobs");
            assertThat(KbsyncCli.run("jobs", "--url", url, "--limit", "0")).isEqualTo(ExitCodes.USAGE);
        }
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            exit = KbsyncCli.run(args);
        } finally {
            System.setOut(original);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        return out;
    }
}
