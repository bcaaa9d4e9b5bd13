package dev.kbsync.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentRedisIT {
    private static final Duration CALL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void shouldKeepItsDataAcrossACleanStopAndLeaveNoProcessBehind() {
        List<ProcessHandle> processes;
        try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            RespClient.once(redis.port(), redis.password(), CALL, "SET", "note", "kept");
            assertThat(RespClient.once(redis.port(), redis.password(), CALL, "CONFIG", "GET", "appendfsync"))
                    .isEqualTo(List.of("appendfsync", "always"));
            assertThat(RespClient.once(redis.port(), redis.password(), CALL, "CONFIG", "GET", "maxmemory-policy"))
                    .isEqualTo(List.of("maxmemory-policy", "noeviction"));
            processes = tree(redis.pid());
            assertThat(processes).as("redis-server and its watchdog").hasSize(2);
        }
        assertThat(processes.get(0).isAlive())
                .as("redis-server stopped by close()")
                .isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(dir.resolve("redis.pid")).doesNotExist();
        try (RedisProcess again = RedisProcess.startPersistent(dir, Fsync.EVERYSEC)) {
            assertThat(RespClient.once(again.port(), again.password(), CALL, "GET", "note"))
                    .isEqualTo("kept");
            assertThat(again.stoppedLeftover()).isEmpty();
        }
    }

    /**
     * On a shared host any local user can reach 127.0.0.1: without a password they could read and flush every queued
     * job, or write files as this user ({@code CONFIG SET dir} + {@code dbfilename} + {@code SAVE}). A persistent Redis
     * requires the password of its directory, made at the first start (0600) and the same at every later one.
     */
    @Test
    void shouldRefuseClientsWithoutThePasswordOfItsDirectoryAndKeepThatPasswordAcrossStarts() throws IOException {
        String password;
        try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            assertThatThrownBy(() -> RespClient.once(redis.port(), CALL, "CONFIG", "GET", "dir"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("NOAUTH");
            assertThatThrownBy(() -> RespClient.once(redis.port(), CALL, "SET", "note", "stolen"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("NOAUTH");
            Path file = dir.resolve("redis.password");
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(dir.resolve("redis.conf")))
                    .as("it names the password too")
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            password = Files.readString(file).strip();
            assertThat(password).hasSizeGreaterThanOrEqualTo(32);
            try (RespClient client = RespClient.connect(redis.port(), CALL)) {
                assertThat(client.call("AUTH", password)).isEqualTo("OK");
                assertThat(client.call("SET", "note", "kept")).isEqualTo("OK");
            }
        }
        try (RedisProcess again = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            assertThat(Files.readString(dir.resolve("redis.password")).strip()).isEqualTo(password);
            assertThat(again.password()).contains(password);
            assertThat(again.uri()).isEqualTo("redis://:" + password + "@127.0.0.1:" + again.port());
            try (RespClient client = RespClient.connect(again.port(), CALL)) {
                assertThat(client.call("AUTH", password)).isEqualTo("OK");
                assertThat(client.call("GET", "note")).isEqualTo("kept");
            }
        }
    }

    @Test
    void shouldRunRedisAsTheStartedProcessItself() {
        try (RedisProcess redis = RedisProcess.start(dir)) {
            Object info = RespClient.once(redis.port(), redis.password(), CALL, "INFO", "server");
            assertThat(RespClient.infoField(info, "process_id")).contains(Long.toString(redis.pid()));
        }
    }

    @Test
    void shouldLetItsWatchdogGoWithoutKillingAnythingWhenRedisDiesFirst() {
        try (RedisProcess redis = RedisProcess.start(dir)) {
            List<ProcessHandle> watchdog =
                    ProcessHandle.of(redis.pid()).orElseThrow().children().toList();
            assertThat(watchdog).hasSize(1);
            redis.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> !watchdog.get(0).isAlive());
        }
    }

    @Test
    void shouldRefuseADirectoryThatALiveProcessOwns() {
        try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            assertThatThrownBy(() -> RedisProcess.startPersistent(dir, Fsync.ALWAYS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another process");
            assertThat(redis.isAlive()).isTrue();
        }
    }

    @Test
    void shouldStopRedisWhenTheOwningJvmIsKilled() throws Exception {
        Process jvm = spawn("k", "v");
        long redisPid = awaitReady(jvm);
        ProcessHandle redis = ProcessHandle.of(redisPid).orElseThrow();
        jvm.destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(5)).until(() -> !redis.isAlive());
        try (RedisProcess again = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            assertThat(again.stoppedLeftover()).isEmpty();
            assertThat(RespClient.once(again.port(), again.password(), CALL, "GET", "k"))
                    .isEqualTo("v");
        }
    }

    @Test
    void shouldStopARedisThatADeadOwnerAndItsWatchdogLeftRunning() throws Exception {
        Process jvm = spawn("k", "v");
        long redisPid = awaitReady(jvm);
        ProcessHandle redis = ProcessHandle.of(redisPid).orElseThrow();
        redis.children().forEach(ProcessHandle::destroyForcibly);
        jvm.destroyForcibly().waitFor();
        Thread.sleep(500);
        assertThat(redis.isAlive()).as("the orphan").isTrue();
        try (RedisProcess again = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            assertThat(again.stoppedLeftover()).contains(redisPid);
            assertThat(redis.isAlive()).isFalse();
            assertThat(RespClient.once(again.port(), again.password(), CALL, "GET", "k"))
                    .isEqualTo("v");
        } finally {
            redis.destroyForcibly();
        }
    }

    /**
     * A Redis that a kbsync without passwords started on this directory, left running when it died with its watchdog:
     * answering the new password's {@code AUTH} with "no password set", it is still recognised and stopped.
     */
    @Test
    void shouldStopALeftoverThatAnEarlierKbsyncStartedWithoutAPassword() throws Exception {
        int port = RedisProcess.freePort();
        Path conf = dir.resolve("redis.conf");
        Files.write(
                conf,
                List.of(
                        "port " + port,
                        "bind 127.0.0.1",
                        "dir \"" + dir + "\"",
                        "pidfile \"" + dir.resolve("redis.pid") + "\"",
                        "appendonly yes",
                        "save \"\""));
        Process old = new ProcessBuilder(RedisBinary.locate().toString(), conf.toString())
                .redirectOutput(dir.resolve("old.log").toFile())
                .redirectErrorStream(true)
                .start();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> "OK".equals(RespClient.once(port, CALL, "SET", "k", "v"))
                            && Files.exists(dir.resolve("redis.pid")));
            try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
                assertThat(redis.stoppedLeftover()).contains(old.pid());
                assertThat(old.isAlive()).isFalse();
                assertThat(RespClient.once(redis.port(), redis.password(), CALL, "GET", "k"))
                        .isEqualTo("v");
            }
        } finally {
            old.destroyForcibly();
        }
    }

    @Test
    void shouldIgnoreAPidFileThatNamesSomeoneElse(@TempDir Path other) throws IOException {
        try (RedisProcess stranger = RedisProcess.start(other)) {
            Files.writeString(dir.resolve("redis.pid"), stranger.pid() + "\n");
            Files.writeString(dir.resolve("redis.conf"), "port " + stranger.port() + "\n");
            try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
                assertThat(redis.stoppedLeftover()).isEmpty();
                assertThat(stranger.isAlive()).as("not ours: left alone").isTrue();
            }
            Files.writeString(dir.resolve("redis.pid"), ProcessHandle.current().pid() + "\n");
            try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
                assertThat(redis.stoppedLeftover()).isEmpty();
            }
        }
    }

    /**
     * A stale pid file (a power cut; a Redis that had to be killed) whose pid now names a process the JVM sees no
     * command of (a kernel thread), with nothing on the recorded port: not a Redis of ours, so ignored, not a refusal
     * to start until someone deletes the file.
     */
    @Test
    void shouldIgnoreAPidFileThatNamesAProcessWithoutACommandWhenNothingAnswersOnItsPort() throws IOException {
        Optional<ProcessHandle> kernelThread =
                ProcessHandle.of(2).filter(p -> p.info().command().isEmpty());
        assumeTrue(kernelThread.isPresent(), "pid 2 is no process without a command here");
        Files.writeString(dir.resolve("redis.pid"), "2\n");
        Files.writeString(dir.resolve("redis.conf"), "port " + RedisProcess.freePort() + "\n");

        try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            assertThat(redis.stoppedLeftover()).isEmpty();
            assertThat(RespClient.once(redis.port(), redis.password(), CALL, "PING"))
                    .isEqualTo("PONG");
        }
    }

    private static List<ProcessHandle> tree(long pid) {
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
        return Stream.concat(Stream.of(root), root.descendants()).toList();
    }

    private Process spawn(String key, String value) throws IOException {
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        PersistentRedisMain.class.getName(),
                        dir.toString(),
                        key,
                        value)
                .redirectError(
                        dir.resolveSibling(dir.getFileName() + "-child.log").toFile())
                .start();
    }

    private static long awaitReady(Process jvm) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("ready ")) {
                return Long.parseLong(line.substring("ready ".length()));
            }
        }
        throw new AssertionError("the child JVM exited before it was ready");
    }
}
