package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.testing.TimingSensitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kbsync up --agent} SIGTERMed while an agent task runs past the workers' grace and the embedded Redis is
 * SIGSTOPped (the workers' final reports get no answer): the whole stop ends within its one bound, the workers' {@code
 * shutdown.grace} plus the coordinator's {@code shutdown.timeoutSeconds}, exits 124 naming what was under way, leaves no
 * redis-server behind; the next {@code kbsync up} in the same data directory lands every accepted note exactly once.
 */
@TimingSensitive
class UpWholeStopBoundIT {
    private static final Logger LOG = LoggerFactory.getLogger(UpWholeStopBoundIT.class);
    private static final KbId DEMO = KbId.of("demo");
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final Duration COORDINATOR_BOUND = Duration.ofSeconds(5);
    private static final Duration BOUND = GRACE.plus(COORDINATOR_BOUND);

    @Test
    void shouldEndItsWholeStopWithinOneBoundWhileItsWorkersHangAndLoseNothing(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path hang = dir.resolve("hang");
        Files.writeString(hang, "");
        Path agent = dir.resolve("agent.sh");
        Files.writeString(agent, "#!/bin/sh\nif [ -f " + hang + " ]; then sleep 600; fi\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path logs = Path.of("target", "UpWholeStopBoundIT");
        Map<String, String> env = Map.of(
                "KBSYNC_SHUTDOWN_GRACE",
                GRACE.toSeconds() + "s",
                "KBSYNC_SHUTDOWN_TIMEOUT_SECONDS",
                Long.toString(COORDINATOR_BOUND.toSeconds()));
        List<String> args = List.of(
                "up", "--port", "0", "--workers", "1", "--data-dir", data.toString(), "--agent", agent.toString());
        List<String> accepted = new ArrayList<>();
        try (UpProcess up = UpProcess.spawn(KbsyncCli.class, logs, "hanging", args, env)) {
            try (KbsyncClient api = KbsyncClient.create(ClientOptions.of(up.awaitUp(UpProcess.START), null))) {
                String task = api.submitAgentTask(DEMO, AgentTaskRequest.of("alice", "hang"))
                        .id();
                await().atMost(Duration.ofSeconds(30)).until(() -> api.job(task).state() == JobState.RUNNING);
                for (int i = 0; i < 3; i++) {
                    Job note = api.submitNote(DEMO, NoteRequest.of("bob", "note " + i));
                    accepted.add(note.id());
                }
            }
            List<ProcessHandle> children = up.descendants();
            long redis = Long.parseLong(
                    Files.readString(data.resolve("redis/redis.pid")).strip());
            new ProcessBuilder("kill", "-STOP", Long.toString(redis)).start().waitFor();
            long sent = System.nanoTime();
            up.signal("TERM");
            int status = up.awaitExit(Duration.ofSeconds(300));
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            LOG.info(
                    "kbsync up SIGTERMed with a hanging agent and Redis paused: exited {} after {} ms",
                    status,
                    took.toMillis());

            assertThat(status).as(up.output() + "\n" + up.errors()).isEqualTo(ExitCodes.STOP_PAST_BOUND);
            assertThat(up.output()).contains("kbsync stopped, cut short after " + BOUND.toSeconds() + " s");
            assertThat(took)
                    .as("SIGTERM to exit: the bound, then the embedded Redis killed")
                    .isLessThan(BOUND.plusSeconds(10));
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
        }
        Files.delete(hang);
        try (UpProcess again = UpProcess.spawn(KbsyncCli.class, logs, "again", args, env)) {
            again.awaitUp(UpProcess.START);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(landed(data)).containsAll(accepted));
            assertThat(landed(data)).as("exactly once, in the order accepted").containsExactlyElementsOf(accepted);
            again.signal("TERM");
            assertThat(again.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
        }
    }

    private static List<String> landed(Path data) throws Exception {
        return RemoteLog.read(data.resolve("remotes/demo.git"), "main").stream()
                .map(RemoteLog.Entry::job)
                .filter(Objects::nonNull)
                .filter(job -> !job.isEmpty())
                .toList();
    }
}
