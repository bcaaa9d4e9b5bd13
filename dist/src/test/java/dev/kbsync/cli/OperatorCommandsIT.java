package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.redis.Fsync;
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
    void shouldListWorkersForceReleaseCancelAndRetry() throws Exception {
        try (EmbeddedStack stack =
                EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.EVERYSEC, 0, 2))) {
            String url = stack.baseUrl().toString();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(run("workers", "--url", url))
                            .containsPattern(
                                    "up-worker-1  up  \\S+  v\\S+  2 slots, 2 idle, notes only \\(no agent\\)  seen [0-9.]+ s ago")
                            .contains("up-worker-2  up  "));

            assertThat(run("admin", "force-release", "--url", url, "--kb", "demo"))
                    .isEqualTo("released demo" + System.lineSeparator());
            assertThat(KbsyncCli.run("admin", "force-release", "--url", url, "--kb", "Bad KB"))
                    .as("an invalid KB id is a usage error, caught before any request")
                    .isEqualTo(ExitCodes.USAGE);
            assertThat(KbsyncCli.run("admin", "force-release", "--url", url, "--kb", "nope"))
                    .as("the coordinator's 404 becomes exit code 4")
                    .isEqualTo(ExitCodes.REJECTED);

            // A job queued behind a raw lease is cancelled; the lease's release lets nothing of it land.
            String cancelledId;
            try (KbsyncClient api = KbsyncClient.create(ClientOptions.of(stack.baseUrl(), null))) {
                Lease held = api.requestLease(KbId.of("demo"), LeaseRequest.of("cli-test"));
                Job queued = api.submitNote(KbId.of("demo"), NoteRequest.of("alice", "never lands"));
                assertThat(run("cancel", "--url", url, queued.id()))
                        .isEqualTo(queued.id() + ": cancelled" + System.lineSeparator());
                assertThat(KbsyncCli.run("cancel", "--url", url, queued.id()))
                        .as("a second cancel: 409 JOB_ENDED")
                        .isEqualTo(ExitCodes.REJECTED);
                api.release(held.id());
                assertThat(api.job(queued.id()).state()).isEqualTo(JobState.CANCELLED);
                cancelledId = queued.id();
            }

            // The job list: the cancelled job, newest first, filtered by state.
            assertThat(run("jobs", "--url", url, "--kb", "demo", "--state", "cancelled"))
                    .startsWith(cancelledId + "  cancelled demo  alice  ")
                    .hasLineCount(1);
            assertThat(run("jobs", "--url", url, "--kb", "demo", "--state", "failed"))
                    .isEqualTo("no jobs" + System.lineSeparator());
            assertThat(KbsyncCli.run("jobs", "--url", url, "--kb", "nope")).isEqualTo(ExitCodes.REJECTED);
            assertThat(KbsyncCli.run("jobs", "--url", url, "--limit", "0")).isEqualTo(ExitCodes.USAGE);

            // The cancelled job submitted again: the new job's id, the same one for the same retry repeated.
            String retried = run("retry", "--url", url, cancelledId).strip();
            assertThat(retried).isNotEqualTo(cancelledId).startsWith("demo~");
            assertThat(run("retry", "--url", url, cancelledId).strip()).isEqualTo(retried);
            try (KbsyncClient api = KbsyncClient.create(ClientOptions.of(stack.baseUrl(), null))) {
                Job again = api.awaitJob(retried, Duration.ofSeconds(30));
                assertThat(again.retryOf()).isEqualTo(cancelledId);
                assertThat(again.state()).isEqualTo(JobState.DONE);
            }
            assertThat(KbsyncCli.run("retry", "--url", url, retried))
                    .as("a done job: 409 JOB_NOT_RETRYABLE")
                    .isEqualTo(ExitCodes.REJECTED);
            assertThat(KbsyncCli.run("retry", "--url", url, "demo~nope")).isEqualTo(ExitCodes.REJECTED);
            assertThat(KbsyncCli.run("retry", "--url", url, "bad id"))
                    .as("a malformed id is a usage error")
                    .isEqualTo(ExitCodes.USAGE);
        }
    }

    @Test
    void shouldRemoveAnIdleKbAndSayWhyABusyOrUnknownOneIsNot() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.EVERYSEC, 0, 1));
                KbsyncClient api = KbsyncClient.create(ClientOptions.of(stack.baseUrl(), null))) {
            String url = stack.baseUrl().toString();
            api.registerKb(new KbConfig(KbId.of("leaving"), "https://git.example.com/leaving.git", "main"));
            Lease held = api.requestLease(KbId.of("leaving"), LeaseRequest.of("cli-test"));

            CliRun.Ran busy = CliRun.run("admin", "remove-kb", "--url", url, "--kb", "leaving");
            assertThat(busy.exit()).isEqualTo(ExitCodes.REJECTED);
            assertThat(busy.err()).contains("KB_BUSY").contains("0 queued, 1 running");

            api.release(held.id());
            assertThat(run("admin", "remove-kb", "--url", url, "--kb", "leaving"))
                    .isEqualTo("removed leaving" + System.lineSeparator());
            CliRun.Ran gone = CliRun.run("admin", "remove-kb", "--url", url, "--kb", "leaving");
            assertThat(gone.exit()).isEqualTo(ExitCodes.REJECTED);
            assertThat(gone.err()).contains("KB_NOT_FOUND");
            assertThat(KbsyncCli.run("admin", "remove-kb", "--url", url, "--kb", "Bad KB"))
                    .isEqualTo(ExitCodes.USAGE);
        }
    }

    private static String run(String... args) {
        return CliRun.succeeding(args);
    }
}
