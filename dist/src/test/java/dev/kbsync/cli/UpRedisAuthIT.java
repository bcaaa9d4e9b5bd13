package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.redis.RespClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded Redis of {@code kbsync up} answers no one without its data directory's password: on a shared host any
 * local user reaches 127.0.0.1, and without one could read or flush every queued note, or make Redis write files as
 * the user running kbsync ({@code CONFIG SET dir}, {@code dbfilename}, {@code SAVE}). The stack itself still works,
 * and again after a restart in the same directory (the password is reused); the password is printed nowhere.
 */
class UpRedisAuthIT {
    private static final Duration UP = UpProcess.START;
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final Pattern REDIS = Pattern.compile("redis: +\\S*127\\.0\\.0\\.1:(\\d+) \\(embedded\\)");

    @TempDir
    Path dir;

    private Path logs;

    @BeforeEach
    void logs(TestInfo test) {
        logs = Path.of(
                "target", "UpRedisAuthIT", test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void shouldRefuseUnauthenticatedClientsWhileNotesLandAndAgainAfterARestartInTheSameDirectory() throws Exception {
        Path data = dir.resolve("data");
        List<String> printed = new ArrayList<>();
        for (String run : List.of("first", "again")) {
            try (UpProcess up = UpProcess.spawn(
                    KbsyncCli.class,
                    logs,
                    run,
                    List.of("up", "--port", "0", "--workers", "1", "--data-dir", data.toString()),
                    Map.of("KBSYNC_LOG", "debug"))) {
                URI url = up.awaitUp(UP);
                Matcher redis = REDIS.matcher(up.output());
                assertThat(redis.find()).as(up.output()).isTrue();
                int port = Integer.parseInt(redis.group(1));

                assertThatThrownBy(() -> RespClient.once(port, CALL, "CONFIG", "GET", "dir"))
                        .as(run + ": CONFIG without the password")
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("NOAUTH");
                assertThatThrownBy(() -> RespClient.once(port, CALL, "SET", "kbsync:stolen", "1"))
                        .as(run + ": a write without the password")
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("NOAUTH");
                assertThatThrownBy(() -> RespClient.once(port, CALL, "KEYS", "*"))
                        .as(run + ": a read without the password")
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("NOAUTH");

                try (KbsyncClient api = KbsyncClient.create(ClientOptions.of(url, null))) {
                    Job job = api.submitNote(KbId.of("demo"), NoteRequest.of("alice", "a note, " + run));
                    assertThat(api.awaitJob(job.id(), Duration.ofMinutes(1)).state())
                            .as(run + ": the note lands")
                            .isEqualTo(JobState.DONE);
                }
                up.signal("TERM");
                assertThat(up.awaitExit(Duration.ofSeconds(30))).as(up.errors()).isEqualTo(143);
                printed.add(up.output());
                printed.add(up.errors());
            }
        }
        String password = Files.readString(data.resolve("redis/redis.password")).strip();
        printed.add(Files.readString(data.resolve("logs/kbsync.log")));
        assertThat(printed)
                .as("the banner, the console and the log (at debug) of both runs")
                .allSatisfy(text -> assertThat(text).doesNotContain(password));
    }
}
