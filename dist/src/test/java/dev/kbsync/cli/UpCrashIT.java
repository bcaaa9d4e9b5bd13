package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.cli.stack.StallingUpMain;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kbsync up} in child JVMs, stopped every way it can be ({@code kill -9}, its watchdog killed too, SIGTERM,
 * Ctrl-C) and started again in the same data directory: nothing accepted is lost, nothing lands twice, and no
 * process is left behind.
 */
class UpCrashIT {
    private static final KbId DEMO = KbId.of("demo");
    private static final Duration UP = UpProcess.START;

    private static final Duration GONE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    /** The child JVMs' output, kept after the run: {@code target/UpCrashIT/<test>/}. */
    private Path logs;

    @BeforeEach
    void logs(TestInfo test) {
        logs = Path.of("target", "UpCrashIT", test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void shouldLandEveryAcceptedNoteExactlyOnceAfterAKill9AndARestart() throws Exception {
        Path data = dir.resolve("data");
        List<String> accepted = new ArrayList<>();
        List<ProcessHandle> children;
        String stalledJob;
        try (UpProcess first = UpProcess.spawn(StallingUpMain.class, logs, "first", List.of(data.toString()))) {
            try (KbsyncClient api = client(first.awaitUp(UP))) {
                accepted.add(submit(api, "user-0", "note 0"));
                stalledJob = awaitLine(first, Pattern.compile("stalled (\\S+)"));
                assertThat(stalledJob).isEqualTo(accepted.get(0));
                for (int i = 1; i < 40; i++) {
                    accepted.add(submit(api, "user-" + (i % 4), "note " + i));
                }
            }
            children = first.descendants();
            assertThat(children).as("redis-server and its watchdog").hasSize(2);
            first.signal("KILL");
            first.awaitExit(GONE);
        }
        await().atMost(GONE).untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
        assertThat(landed(data)).as("the stalled job pushed before the kill").containsExactly(stalledJob);

        try (UpProcess again = UpProcess.up(data, logs, "again")) {
            again.awaitUp(UP);
            assertThat(awaitLine(again, Pattern.compile("(resumed .*)")))
                    .isEqualTo("resumed 40 queued jobs (1 of them was running)");
            assertThat(Files.readString(data.resolve("logs/kbsync.log")))
                    .as("the log file, not the console")
                    .contains("ending the grant of job " + stalledJob);
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250))
                    .alias("all 40 land well before the dead worker's 30 s lease could have expired")
                    .untilAsserted(() -> assertThat(landed(data)).containsAll(accepted));
            assertThat(landed(data)).as("exactly once, in the order accepted").containsExactlyElementsOf(accepted);
            assertThat(RemoteLog.read(data.resolve("remotes/demo.git"), "main").stream()
                            .map(RemoteLog.Entry::fence)
                            .filter(Objects::nonNull)
                            .toList())
                    .as("fencing tokens")
                    .isSorted()
                    .doesNotHaveDuplicates();
            List<ProcessHandle> running = again.descendants();
            again.signal("TERM");
            assertThat(again.awaitExit(Duration.ofSeconds(20)))
                    .as("128 + SIGTERM")
                    .isEqualTo(143);
            assertThat(again.output()).contains("stopping kbsync");
            await().atMost(GONE).untilAsserted(() -> assertThat(running).noneMatch(ProcessHandle::isAlive));
        }
        assertThat(data.resolve("redis/redis.pid"))
                .as("Redis shut down cleanly")
                .doesNotExist();
    }

    @Test
    void shouldStopTheRedisServerThatAKilledRunAndItsWatchdogLeftBehindAndKeepItsData() throws Exception {
        Path data = dir.resolve("data");
        List<String> accepted = new ArrayList<>();
        ProcessHandle orphan;
        try (UpProcess first = UpProcess.up(data, logs, "first")) {
            try (KbsyncClient api = client(first.awaitUp(UP))) {
                for (int i = 0; i < 3; i++) {
                    accepted.add(submit(api, "alice", "note " + i));
                }
            }
            orphan = first.descendants().stream()
                    .filter(p -> p.parent().map(q -> q.pid() == first.pid()).orElse(false))
                    .findFirst()
                    .orElseThrow();
            orphan.children().forEach(ProcessHandle::destroyForcibly);
            first.signal("KILL");
            first.awaitExit(GONE);
        }
        Thread.sleep(500);
        assertThat(orphan.isAlive())
                .as("redis-server without its JVM and watchdog")
                .isTrue();

        try (UpProcess again = UpProcess.up(data, logs, "again")) {
            try (KbsyncClient api = client(again.awaitUp(UP))) {
                assertThat(awaitLine(again, Pattern.compile("stopped redis-server pid (\\d+)")))
                        .isEqualTo(Long.toString(orphan.pid()));
                assertThat(orphan.isAlive()).isFalse();
                for (String job : accepted) {
                    assertThat(api.job(job).state()).isIn(JobState.QUEUED, JobState.RUNNING, JobState.DONE);
                }
                accepted.add(submit(api, "bob", "after the restart"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(landed(data)).containsAll(accepted));
            assertThat(landed(data)).hasSize(4).doesNotHaveDuplicates();
            List<ProcessHandle> running = again.descendants();
            // Ctrl-C; a build started in the background inherits SIGINT ignored, and so would kbsync: then SIGTERM.
            boolean interruptible = !UpProcess.sigintIgnoredHere();
            again.signal(interruptible ? "INT" : "TERM");
            assertThat(again.awaitExit(Duration.ofSeconds(20)))
                    .as("128 + the signal")
                    .isEqualTo(interruptible ? 130 : 143);
            assertThat(again.output()).contains("stopping kbsync");
            await().atMost(GONE).untilAsserted(() -> assertThat(running).noneMatch(ProcessHandle::isAlive));
        }
        assertThat(data.resolve("redis/redis.pid")).doesNotExist();
    }

    private static String awaitLine(UpProcess process, Pattern line) throws InterruptedException {
        long deadline = System.nanoTime() + UP.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = line.matcher(process.output());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line " + line + " within " + UP + ":\n" + process.output());
    }

    private static KbsyncClient client(URI url) {
        return KbsyncClient.create(ClientOptions.of(url, null));
    }

    /** Submits a note; the client fails unless the coordinator accepts it ({@code 202}). */
    private static String submit(KbsyncClient api, String user, String text) {
        Job job = api.submitNote(DEMO, NoteRequest.of(user, text));
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        return job.id();
    }

    private static List<String> landed(Path data) throws Exception {
        return RemoteLog.read(data.resolve("remotes/demo.git"), "main").stream()
                .map(RemoteLog.Entry::job)
                .filter(Objects::nonNull)
                .toList();
    }
}
