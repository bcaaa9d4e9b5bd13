package dev.kbsync.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The files of a persistent Redis in one directory: {@code redis.conf} (written by kbsync at every start),
 * {@code redis.password} (made at the first start, kept), {@code redis.pid} (written by Redis, removed by a clean
 * shutdown), the append-only file, {@code redis.log}, and {@code owner.lock} (held by the process that runs this Redis).
 * The directory is its owner's only (0700), and the two files that hold the password are 0600.
 */
record RedisDir(Path path) {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    /** What a password may be made of: safe unquoted in redis.conf and unescaped in a redis:// URI. */
    private static final String PASSWORD = "[A-Za-z0-9._~-]{16,128}";

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

    Path passwordFile() {
        return path.resolve("redis.password");
    }

    /**
     * This directory's Redis password: 32 random bytes in hex, made at the first start and kept in {@code
     * redis.password} (0600), so that every later start, and a Redis an earlier one left running, has the same one.
     * Makes the directory its owner's only (0700: the append-only file holds every queued note). Called by the
     * directory's owner only.
     */
    String password() {
        restrict(path, OWNER_ONLY_DIR);
        Path file = passwordFile();
        try {
            if (!Files.exists(file)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                writePrivately(file, List.of(HexFormat.of().formatHex(random)));
            }
            restrict(file, OWNER_ONLY);
            String password = Files.readString(file).strip();
            if (!password.matches(PASSWORD)) {
                throw new IllegalStateException(file + " holds no usable password (16-128 letters, digits or ._~-);"
                        + " delete it, and the next start makes a new one");
            }
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /**
     * Writes the configuration of the next start: loopback only, {@code password} required, AOF with {@code fsync}, no
     * eviction; readable by its owner only (it names the password).
     */
    Path writeConf(int port, Fsync fsync, String password) {
        List<String> lines = List.of(
                "# Written by kbsync at every start of its embedded Redis; edits are overwritten.",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode yes",
                "requirepass " + password,
                "dir " + quoted(path),
                "pidfile " + quoted(pidFile()),
                "appendonly yes",
                "appendfsync " + fsync.directive(),
                "save \"\"",
                "maxmemory-policy noeviction");
        try {
            writePrivately(conf(), lines);
            return conf();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + conf(), e);
        }
    }

    /**
     * Replaces {@code file} with {@code lines} through a new file that is its owner's only from its creation (an older
     * {@code redis.conf} readable by all is replaced, not rewritten in place), moved over it.
     */
    private void writePrivately(Path file, List<String> lines) throws IOException {
        Path temp = posix()
                ? Files.createTempFile(path, file.getFileName() + ".", ".tmp", ownerOnly())
                : Files.createTempFile(path, file.getFileName() + ".", ".tmp");
        try {
            Files.write(temp, lines);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    }

    private static void restrict(Path file, Set<PosixFilePermission> permissions) {
        if (!posix()) {
            return;
        }
        try {
            if (!Files.getPosixFilePermissions(file).equals(permissions)) {
                Files.setPosixFilePermissions(file, permissions);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + file + " its owner's only", e);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
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
