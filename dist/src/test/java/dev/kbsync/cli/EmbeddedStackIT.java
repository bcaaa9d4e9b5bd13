package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.cli.stack.StartFailure;
import dev.kbsync.example.BotExample;
import dev.kbsync.redis.Fsync;
import dev.kbsync.redis.RedisProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStackIT {
    @TempDir
    Path data;

    @Test
    void shouldLandANoteInTheDemoKbAndComeBackUpOnTheSameDataEvenAfterAPushWasKilledHalfWay() throws Exception {
        String firstJob;
        List<ProcessHandle> redis;
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.ALWAYS, 0, 2))) {
            assertThat(stack.embeddedRedis()).isTrue();
            redis = ProcessHandle.current().descendants().toList();
            assertThat(redis).as("redis-server and its watchdog").hasSize(2);
            assertThat(UpCommand.banner(stack, data.resolve("logs/kbsync.log")))
                    .contains(stack.baseUrl() + "/")
                    .contains("logs:        " + data.resolve("logs/kbsync.log"))
                    .contains("curl -s -X POST " + stack.baseUrl() + "/v1/kbs/demo/notes");
            firstJob = writeNote(stack, "chat-1");
            assertThat(HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(stack.baseUrl().resolve("/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .as("its coordinator's scrape has the process and HTTP server meters, as a standalone one's")
                    .contains("kbsync_grants_total")
                    .contains("jvm_memory_used_bytes")
                    .contains("vertx_http_server_requests_total");
            assertThat(housekeepingThreads())
                    .as("the demo remote's housekeeping runs")
                    .isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.stream().noneMatch(ProcessHandle::isAlive));
        await().atMost(Duration.ofSeconds(5)).until(() -> housekeepingThreads() == 0);
        // what a kill -9 in the middle of a worker's push into the demo remote leaves behind
        Files.createFile(data.resolve("remotes/demo.git/refs/heads/main.lock"));
        try (EmbeddedStack again = EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.ALWAYS, 0, 1))) {
            String secondJob = writeNote(again, "chat-2");
            assertThat(secondJob).isNotEqualTo(firstJob);
            List<RemoteLog.Entry> log = RemoteLog.read(again.demoRemote(), "main");
            assertThat(log).extracting(RemoteLog.Entry::job).contains(firstJob, secondJob);
            assertThat(log).extracting(RemoteLog.Entry::subject).contains("Add: Standup");
        }
    }

    @Test
    void shouldStartItsRedisAgainWhenItDiesAndKeepEveryNote() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.ALWAYS, 0, 1))) {
            String before = writeNote(stack, "before-the-crash");
            long pid = stack.redisPid().orElseThrow();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9 from outside: a crash, an OOM killer

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() ->
                            stack.redisPid().isPresent() && stack.redisPid().getAsLong() != pid);
            // until its Redis client reconnected the coordinator answers 503 with Retry-After (what a bot retries on)
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ready(stack));
            String after = writeNote(stack, "after-the-crash");
            assertThat(after).isNotEqualTo(before);
            assertThat(RemoteLog.read(stack.demoRemote(), "main"))
                    .extracting(RemoteLog.Entry::job)
                    .contains(before, after);
        }
    }

    @Test
    void shouldRunTheNoteCommandAgainstTheStackAndExitZero() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.ALWAYS, 0, 1))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream original = System.out;
            int exit;
            try {
                System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
                exit = KbsyncCli.run(
                        "note",
                        "--url",
                        stack.baseUrl().toString(),
                        "--kb",
                        "demo",
                        "--user",
                        "carol",
                        "--title",
                        "From the CLI",
                        "hello");
            } finally {
                System.setOut(original);
            }
            assertThat(exit).isZero();
            assertThat(bytes.toString(StandardCharsets.UTF_8))
                    .contains("done: commit ")
                    .containsPattern("created notes/\\d{4}/\\d{2}/from-the-cli.md");
            String url = stack.baseUrl().toString();
            bytes.reset();
            try {
                System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
                exit = KbsyncCli.run("queue", "--url", url);
            } finally {
                System.setOut(original);
            }
            assertThat(exit).isZero();
            assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("demo  (free)");
            assertThat(KbsyncCli.run("note", "--url", url, "--kb", "Bad KB", "--user", "c", "x"))
                    .as("an invalid KB id is a usage error, caught before any request")
                    .isEqualTo(ExitCodes.USAGE);
            assertThat(KbsyncCli.run("note", "--url", url, "--kb", "demo", "--user", "not a user!", "x"))
                    .as("the coordinator's 400 becomes exit code 4")
                    .isEqualTo(ExitCodes.REJECTED);
        }
    }

    @Test
    void shouldRefuseToStartOnADataDirThatARunningStackOwns() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.ALWAYS, 0, 1))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream original = System.err;
            int exit;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                exit = KbsyncCli.run("up", "--port", "0", "--data-dir", data.toString());
            } finally {
                System.setErr(original);
            }
            assertThat(exit).isEqualTo(ExitCodes.DATA_DIR_IN_USE);
            assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("error: ")))
                    .as("in this JVM the log lines are on stderr too; ConsoleIT checks the console of a real run")
                    .singleElement()
                    .asString()
                    .startsWith("error: " + data.toAbsolutePath().normalize() + " is in use by another process (pid "
                            + ProcessHandle.current().pid() + ")");
            writeNote(stack, "chat-3");
        }
    }

    /**
     * With --redis no redis-server owns the data directory, so the stack does: a second stack on it is refused, and the
     * next owner removes the git lock files a killed push left in the demo remote (else every push failed).
     */
    @Test
    void shouldOwnItsDataDirWithAnExternalRedisToo(@TempDir Path redisDir) throws Exception {
        try (RedisProcess external = RedisProcess.start(redisDir)) {
            Optional<String> redis = Optional.of(external.uri());
            try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, redis, Fsync.ALWAYS, 0, 1))) {
                assertThat(stack.embeddedRedis()).isFalse();
                assertThatThrownBy(() -> EmbeddedStack.start(new StackOptions(data, redis, Fsync.ALWAYS, 0, 1)))
                        .isInstanceOfSatisfying(
                                StartFailure.class,
                                e -> assertThat(e.reason()).isEqualTo(StartFailure.Reason.DATA_DIR_IN_USE));
                writeNote(stack, "chat-4");
            }
            Files.createFile(data.resolve("remotes/demo.git/refs/heads/main.lock")); // a push killed half way
            try (EmbeddedStack again = EmbeddedStack.start(new StackOptions(data, redis, Fsync.ALWAYS, 0, 1))) {
                writeNote(again, "chat-5");
            }
        }
    }

    /** The documented bot example (docs/api.md, "Java client") writes the note. */
    private static String writeNote(EmbeddedStack stack, String messageId) {
        Job job = BotExample.writeNote(stack.baseUrl(), null, messageId);
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(job.commit()).isNotBlank();
        return job.id();
    }

    /** {@code GET /readyz} answers 200: the coordinator's Redis round trip works again. */
    private static boolean ready(EmbeddedStack stack) throws InterruptedException {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(stack.baseUrl().resolve("/readyz"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static long housekeepingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("kbsync-remote-housekeeping"))
                .count();
    }
}
