package dev.kbsync.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The files of a persistent Redis in one directory: {@code redis.conf} (written by kbsync at every start),
 * {@code redis.pid} (written by Redis, removed by a clean shutdown), the append-only file, {@code redis.log}, and
 * {@code owner.lock} (held by the process that runs this Redis).
 */
record RedisDir(Path path) {
    RedisDir {
        path = path.toAbsolutePath().normalize();
    }

    Path conf() {
        return path.resolve("redis.conf");
    }

    Path pidFile() {
        return path.resolve("redis.pid");
    }

    Path log() {
        return path.resolve("redis.log");
    }

    Path lockFile() {
        return path.resolve("owner.lock");
    }

    /** Writes the configuration of the next start: loopback only, AOF with {@code fsync}, no eviction. */
    Path writeConf(int port, Fsync fsync) {
        List<String> lines = List.of(
                "# Written by kbsync at every start of its embedded Redis; edits are overwritten.",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode yes",
                "dir " + quoted(path),
                "pidfile " + quoted(pidFile()),
                "appendonly yes",
                "appendfsync " + fsync.directive(),
                "save \"\"",
                "maxmemory-policy noeviction");
        try {
            Files.write(conf(), lines);
            return conf();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + conf(), e);
        }
    }

    /** The port the last written configuration named. */
    OptionalInt recordedPort() {
        return read(conf())
                .lines()
                .filter(line -> line.startsWith("port "))
                .mapToInt(line -> Integer.parseInt(line.substring(5).strip()))
                .findFirst();
    }

    /** The pid a Redis of this directory wrote and has not removed (it may be dead). */
    OptionalLong recordedPid() {
        String pid = read(pidFile()).strip();
        return pid.matches("\\d{1,10}") ? OptionalLong.of(Long.parseLong(pid)) : OptionalLong.empty();
    }

    void forgetPid() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + pidFile(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String quoted(Path file) {
        return '"' + file.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
