package dev.kbsync.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code redis-server} that an earlier owner of a {@link RedisDir} left running: it died without stopping it and
 * its watchdog died too. Called only by the holder of the directory's lock, so no live process uses that Redis any
 * more. It is ours only if the pid in {@code redis.pid} is a live {@code redis-server} and the Redis on the port of
 * our {@code redis.conf} reports that very pid and that very config file ({@code INFO server}); then it is stopped
 * with {@code SHUTDOWN} (append-only file flushed and fsynced) before a new one starts on the same files. A pid file
 * naming a dead or unrelated process is stale and ignored.
 */
final class Leftover {
    private static final Logger log = LoggerFactory.getLogger(Leftover.class);
    private static final Duration CALL = Duration.ofSeconds(2);
    private static final Duration STOP = Duration.ofSeconds(10);

    private Leftover() {}

    /** Stops this directory's leftover Redis (its password: {@code password}), if there is one; returns its pid. */
    static Optional<Long> stop(RedisDir dir, String password) {
        Optional<ProcessHandle> process = live(dir);
        if (process.isEmpty()) {
            dir.forgetPid();
            return Optional.empty();
        }
        long pid = process.get().pid();
        int port = dir.recordedPort().orElse(0);
        if (!ours(dir, process.get(), port, password)) {
            log.info("{} names pid {}, which is not this directory's redis-server; ignoring it", dir.pidFile(), pid);
            dir.forgetPid();
            return Optional.empty();
        }
        log.warn(
                "redis-server pid {} on port {} was left running by an earlier run of {}; stopping it with SHUTDOWN",
                pid,
                port,
                dir.path());
        shutdown(port, password);
        awaitExit(process.get());
        dir.forgetPid();
        return Optional.of(pid);
    }

    private static Optional<ProcessHandle> live(RedisDir dir) {
        return dir.recordedPid().stream()
                .boxed()
                .findFirst()
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(Leftover::mayBeRedis);
    }

    /** An unknown executable counts as maybe ({@code INFO} decides); Debian's redis-server links to redis-check-rdb. */
    private static boolean mayBeRedis(ProcessHandle process) {
        return process.info()
                .command()
                .map(command -> Path.of(command).getFileName().toString().contains("redis"))
                .orElse(true);
    }

    /**
     * Whether the Redis on {@code port} is {@code process} run with this directory's config. A process the JVM sees no
     * command of (a kernel thread, another user's) with nothing answering on the port is not: the pid file is stale.
     */
    private static boolean ours(RedisDir dir, ProcessHandle process, int port, String password) {
        long pid = process.pid();
        Object info;
        try {
            info = RespClient.once(port, Optional.of(password), CALL, "INFO", "server");
        } catch (RuntimeException e) {
            if (process.info().command().isEmpty()) {
                return false;
            }
            throw new IllegalStateException("redis-server pid " + pid + " (named in " + dir.pidFile()
                    + ") is running but does not answer on port " + port + " (" + e.getMessage()
                    + "); stop it, or delete the pid file if it is not kbsync's");
        }
        Optional<String> configFile = RespClient.infoField(info, "config_file");
        return RespClient.infoField(info, "process_id").equals(Optional.of(Long.toString(pid)))
                && configFile
                        .filter(file -> sameFile(Path.of(file), dir.conf()))
                        .isPresent();
    }

    private static void shutdown(int port, String password) {
        try {
            RespClient.once(port, Optional.of(password), CALL, "SHUTDOWN");
        } catch (UncheckedIOException expected) {
            // a Redis that shuts down closes the connection instead of answering
        }
    }

    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(STOP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("redis-server pid " + process.pid() + " did not stop within " + STOP);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping redis-server pid " + process.pid(), e);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
