package dev.kbsync.cli.stack;

import dev.kbsync.config.Check;
import dev.kbsync.coordinator.engine.EvictingRedisException;
import dev.kbsync.redis.DirInUseException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;
import org.redisson.client.RedisConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An expected reason why the embedded stack (or a coordinator or worker process) did not start, with one line for the
 * console that says what to do. Its {@link Reason} picks the exit code; the cause stays for the log file.
 */
public final class StartFailure extends RuntimeException {
    private static final Logger log = LoggerFactory.getLogger(StartFailure.class);
    private static final long serialVersionUID = 1L;

    /** Why the stack did not start. */
    public enum Reason {
        /** Another running stack owns the data directory. */
        DATA_DIR_IN_USE,
        /** The data directory cannot be created or written. */
        DATA_DIR_NOT_WRITABLE,
        /** The coordinator's port is taken. */
        PORT_IN_USE,
        /** The port is one this user may not bind (EACCES: below 1024 without root): a bad setting. */
        PORT_NOT_PERMITTED,
        /** The host to listen on is not an address of this machine: a bad setting. */
        HOST_NOT_LOCAL,
        /** The Redis given with {@code --redis} does not answer. */
        REDIS_UNREACHABLE,
        /** The embedded {@code redis-server} could not be started. */
        REDIS_NOT_STARTED,
        /** The Redis may evict keys ({@code maxmemory-policy} not {@code noeviction}), and that is not allowed. */
        REDIS_MAY_EVICT
    }

    /**
     * How a process names what to change when its port on {@code host} is taken ({@code owner}: who may hold it,
     * {@code portFix}: what to do), when {@code host} is not an address of this machine ({@code hostFix}), or when its
     * Redis at {@code redis} does not answer ({@code redisFix}).
     */
    public record Advice(
            String host, int port, String owner, String portFix, String hostFix, String redis, String redisFix) {
        /** {@code kbsync up}'s (and {@code demo}'s): the coordinator on 127.0.0.1:{@code port}, Redis from --redis. */
        public static Advice up(int port, String redis) {
            return new Advice(
                    "127.0.0.1",
                    port,
                    "another kbsync up?",
                    "choose another with --port, e.g. --port " + (port < 1024 ? 8080 : port == 65535 ? 8081 : port + 1),
                    "listen on one of its addresses",
                    redis == null ? null : Check.masked(redis),
                    "check --redis, or leave it out to run an embedded Redis");
        }
    }

    private final Reason reason;

    private StartFailure(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static StartFailure dataDir(Path dir, IOException e) {
        String why = e instanceof AccessDeniedException
                ? "permission denied"
                : e instanceof FileAlreadyExistsException || e instanceof FileSystemException fs && isNotDirectory(fs)
                        ? "a file is in the way"
                        : String.valueOf(e.getMessage());
        return new StartFailure(
                Reason.DATA_DIR_NOT_WRITABLE,
                "cannot write to the data directory " + dir + " (" + why + "); choose another with --data-dir",
                e);
    }

    /** Another stack owns the data directory. */
    static StartFailure dataDirInUse(DirInUseException e) {
        return new StartFailure(Reason.DATA_DIR_IN_USE, e.getMessage() + " (or use another --data-dir)", e);
    }

    /** The embedded redis-server's start failed: another stack owns the directory, or the server did not run. */
    static StartFailure redisServer(RuntimeException e) {
        if (e instanceof DirInUseException inUse) {
            return dataDirInUse(inUse);
        }
        return new StartFailure(
                Reason.REDIS_NOT_STARTED,
                "the embedded redis-server did not start: " + e.getMessage()
                        + "; install redis-server (or set REDIS_SERVER to one), or join a running Redis with --redis",
                e);
    }

    static StartFailure redisUnreachable(Advice advice, String why, Throwable cause) {
        return new StartFailure(
                Reason.REDIS_UNREACHABLE,
                "Redis at " + advice.redis() + " does not answer (" + why + "); " + advice.redisFix(),
                cause);
    }

    /**
     * Fails with {@link Reason#PORT_IN_USE} unless {@code port} (0: any) on 127.0.0.1 can be bound now: checked before
     * the stack changes anything. The coordinator's own bind still answers the same when another process takes the
     * port in between.
     */
    public static void portFree(int port) {
        portFree(Advice.up(port, null));
    }

    /** {@link #portFree(int)} for the port and host of {@code advice}, in its words. */
    public static void portFree(Advice advice) {
        if (advice.port() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(advice.host(), advice.port()));
        } catch (BindException e) {
            throw bindFailure(advice, e);
        } catch (IOException e) {
            log.debug(
                    "port probe of {}:{} inconclusive ({}); the process's own bind decides",
                    advice.host(),
                    advice.port(),
                    e.toString());
        }
    }

    /**
     * A bind refused: the host is not an address of this machine ("Cannot assign requested address", EADDRNOTAVAIL: a
     * bad setting, which another port would not mend), the port is one this user may not bind ("Permission denied",
     * EACCES: a bad setting too), else the port is taken.
     */
    private static StartFailure bindFailure(Advice advice, BindException bind, Throwable e) {
        String why = String.valueOf(bind.getMessage());
        String lower = why.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("assign requested address")) {
            return new StartFailure(
                    Reason.HOST_NOT_LOCAL,
                    advice.host() + " is not an address of this machine (" + why + "); " + advice.hostFix(),
                    e);
        }
        if (lower.contains("permission denied")) {
            return new StartFailure(
                    Reason.PORT_NOT_PERMITTED,
                    "port " + advice.port() + " on " + advice.host() + " may not be bound by this user (" + why
                            + ": ports below 1024 need root or CAP_NET_BIND_SERVICE); " + advice.portFix(),
                    e);
        }
        return portInUse(advice, e);
    }

    private static StartFailure bindFailure(Advice advice, BindException e) {
        return bindFailure(advice, e, e);
    }

    private static StartFailure portInUse(Advice advice, Throwable e) {
        return new StartFailure(
                Reason.PORT_IN_USE,
                "port " + advice.port() + " on " + advice.host() + " is in use (" + advice.owner() + "); "
                        + advice.portFix(),
                e);
    }

    /** A process's start: returns once it runs, throws when it did not start. */
    @FunctionalInterface
    public interface Start {
        void run() throws Exception;
    }

    /** Runs {@code start}; a failure {@link #of} knows is thrown as its StartFailure, any other as it is. */
    public static void expect(Start start, Advice advice) throws Exception {
        try {
            start.run();
        } catch (Exception e) {
            throw of(e, advice).orElseThrow(() -> e);
        }
    }

    /**
     * Why a process did not start, when expected: its port taken or not permitted, its host not of this machine, its
     * Redis not answering or one that may evict keys; else empty.
     */
    public static Optional<StartFailure> of(Throwable e, Advice advice) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EvictingRedisException evicting) { // its message names the policy and the setting
                return Optional.of(new StartFailure(Reason.REDIS_MAY_EVICT, evicting.getMessage(), e));
            }
            if (t instanceof BindException bind) {
                return Optional.of(bindFailure(advice, bind, e));
            }
            if (t instanceof RedisConnectionException) {
                return Optional.of(redisUnreachable(advice, rootMessage(t), e));
            }
        }
        return Optional.empty();
    }

    private static boolean isNotDirectory(FileSystemException e) {
        return String.valueOf(e.getReason()).toLowerCase(java.util.Locale.ROOT).contains("not a directory");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}
