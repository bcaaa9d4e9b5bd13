package dev.kbsync.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real {@code redis-server} process on 127.0.0.1, run under a {@link Watchdog} so that it never outlives this JVM.
 * A plain one (tests) has no persistence and can be killed, paused and restarted on the same port, which is what
 * fault tests need; {@link #close()} kills it. A persistent one ({@link #startPersistent}) keeps an append-only file
 * in its directory, which one process at a time owns; {@link #close()} shuts it down cleanly. {@link #close()} is safe
 * to call twice.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisProcess.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final Path binary;
    private final Path dir;
    private final int port;
    private final List<String> args;
    private final Redirect output;
    private final Optional<DirLock> owner;
    private final Optional<Long> stoppedLeftover;
    /** The password it requires (a persistent one: its directory's), if any. */
    private final Optional<String> password;

    private volatile Process process;
    /** Whether an exit this process did not ask for starts it again ({@link #restartOnExit}). */
    private volatile boolean supervised;
    /** A process whose exit was asked for (a kill, a restart, the close), not to be started again. */
    private volatile Process expectedExit;

    private static final int MAX_RESTARTS = 5;
    private static final Duration RESTART_WINDOW = Duration.ofMinutes(1);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(8);
    /** How often it may still be started again on its own. */
    private final RestartBudget restarts = new RestartBudget(MAX_RESTARTS, RESTART_WINDOW);

    private RedisProcess(
            Path dir,
            int port,
            List<String> args,
            Redirect output,
            Optional<DirLock> owner,
            Optional<Long> stoppedLeftover) {
        this(dir, port, args, output, owner, stoppedLeftover, Optional.empty());
    }

    private RedisProcess(
            Path dir,
            int port,
            List<String> args,
            Redirect output,
            Optional<DirLock> owner,
            Optional<Long> stoppedLeftover,
            Optional<String> password) {
        this.password = password;
        this.binary = RedisBinary.locate();
        this.dir = dir;
        this.port = port;
        this.args = List.copyOf(args);
        this.output = output;
        this.owner = owner;
        this.stoppedLeftover = stoppedLeftover;
    }

    /** Starts a plain Redis on a free port, working files in {@code dir}. */
    public static RedisProcess start(Path dir) {
        return start(dir, freePort(), List.of());
    }

    /** Starts a plain Redis on {@code port} with extra command-line arguments (e.g. {@code --replicaof}). */
    public static RedisProcess start(Path dir, int port, List<String> extraArgs) {
        List<String> args = new ArrayList<>(plainArgs(dir, port));
        args.addAll(extraArgs);
        return launched(new RedisProcess(dir, port, args, log(dir, port), Optional.empty(), Optional.empty()));
    }

    /** Starts a Sentinel on {@code port} from {@code config}, an absolute, writable file that Sentinel rewrites. */
    public static RedisProcess startSentinel(Path dir, int port, Path config) {
        List<String> args = new ArrayList<>(List.of(config.toString()));
        args.addAll(plainArgs(dir, port));
        args.add("--sentinel");
        return launched(new RedisProcess(dir, port, args, log(dir, port), Optional.empty(), Optional.empty()));
    }

    /**
     * Starts the Redis whose data lives in {@code dir} (append-only file, fsync per {@code fsync}, no eviction) on a
     * free port, once this process owns {@code dir}: fails if another live process owns it, and first stops a
     * {@code redis-server} that a dead owner left running on it (see {@link Leftover}). The directory stays owned
     * until {@link #close()}, which shuts Redis down with {@code SHUTDOWN}. It requires the directory's password
     * (see {@link #password()}), which {@link #uri()} carries.
     */
    public static RedisProcess startPersistent(Path dir, Fsync fsync) {
        RedisDir files = new RedisDir(dir);
        DirLock owner = DirLock.take(files.lockFile());
        try {
            DataLayout.check(files.path(), RedisBinary.locate());
            String password = files.password();
            Optional<Long> leftover = Leftover.stop(files, password);
            int port = freePort();
            Path conf = files.writeConf(port, fsync, password);
            return launched(new RedisProcess(
                    files.path(),
                    port,
                    List.of(conf.toString()),
                    Redirect.appendTo(files.log().toFile()),
                    Optional.of(owner),
                    leftover,
                    Optional.of(password)));
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
    }

    /** The arguments of a plain Redis on 127.0.0.1:{@code port}: no persistence, working files in {@code dir}. */
    public static List<String> plainArgs(Path dir, int port) {
        return List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--protected-mode",
                "no");
    }

    private static Redirect log(Path dir, int port) {
        return Redirect.to(dir.resolve("redis-" + port + ".log").toFile());
    }

    private static RedisProcess launched(RedisProcess redis) {
        redis.launch();
        return redis;
    }

    public int port() {
        return port;
    }

    /**
     * {@code redis://127.0.0.1:<port>}, or {@code redis://:<password>@127.0.0.1:<port>} for one that requires a
     * password: mask it wherever it is shown ({@code Check.masked}).
     */
    public String uri() {
        return "redis://" + password.map(p -> ":" + p + "@").orElse("") + "127.0.0.1:" + port;
    }

    /**
     * The password this Redis requires: a persistent one's is its directory's ({@code redis.password}, 0600, made at
     * the first start and kept); a plain one has none.
     */
    public Optional<String> password() {
        return password;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The pid of the leftover Redis that {@link #startPersistent} stopped before starting this one. */
    public Optional<Long> stoppedLeftover() {
        return stoppedLeftover;
    }

    /**
     * From now on, a redis-server that exits without being asked to (a crash, a kill from outside, the OOM killer) is
     * started again at once, on the same port and the same data (a persistent one reads its append-only file back), and
     * the exit is logged at ERROR. At most {@value #MAX_RESTARTS} times a minute: past that it stays down, logged.
     */
    public void restartOnExit() {
        supervised = true;
        watch(process);
    }

    private void watch(Process watched) {
        watched.onExit().thenRun(() -> {
            if (!supervised || watched == expectedExit || watched != process) {
                return;
            }
            log.error(
                    "redis-server on port {} (pid {}) exited with {} on its own; starting it again on its data",
                    port,
                    watched.pid(),
                    watched.exitValue());
            startAgain(Duration.ZERO);
        });
    }

    /**
     * Starts it again after {@code pause} while the restart budget lasts: a start that fails (its port still held, a
     * start slower than its readiness bound) is tried again, each pause twice the last (1 s up to 8 s), each try
     * spending the budget; past it, it stays down, logged.
     */
    private void startAgain(Duration pause) {
        Executor later = CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS);
        later.execute(() -> {
            synchronized (restarts) {
                if (!supervised) {
                    return;
                }
                if (!restarts.spend()) {
                    log.error(
                            "redis-server on port {} exited or failed to start {} times within {}; not starting it"
                                    + " again: see {}",
                            port,
                            MAX_RESTARTS + 1,
                            RESTART_WINDOW,
                            output.file());
                    return;
                }
                try {
                    launch();
                    watch(process);
                } catch (RuntimeException e) {
                    Duration next = pause.isZero() ? Duration.ofSeconds(1) : min(pause.multipliedBy(2), MAX_PAUSE);
                    log.error(
                            "redis-server on port {} could not be started again ({}); trying again in {} ms",
                            port,
                            e.getMessage(),
                            next.toMillis());
                    startAgain(next);
                }
            }
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** SIGKILL: no shutdown, as a crash (not started again: the caller asked for it). */
    public void kill() {
        Process now = process;
        if (now != null) {
            expectedExit = now;
            now.destroyForcibly();
            Processes.awaitExit(process);
        }
    }

    /** SIGSTOP: the process stays, answers nothing. */
    public void pause() {
        Processes.signal(process, "STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        Processes.signal(process, "CONT");
    }

    /** Kills if alive, then starts again on the same port (a plain Redis' data is gone). */
    public void restart() {
        kill();
        launch();
        if (supervised) {
            watch(process);
        }
    }

    /** A plain Redis is killed; a persistent one is shut down cleanly, and its directory released. */
    @Override
    public void close() {
        close(SHUTDOWN_TIMEOUT);
    }

    /**
     * As {@link #close()}, a persistent Redis killed if it has not stopped within {@code wait} of its {@code SHUTDOWN}
     * (which itself waits at most 2 s for an answer); whether it stopped by itself (a plain one: always false).
     */
    public boolean close(Duration wait) {
        synchronized (restarts) { // a restart under way ends first; none starts after this
            supervised = false;
        }
        expectedExit = process;
        if (owner.isEmpty()) {
            kill();
            return false;
        }
        boolean clean = shutdown(wait);
        owner.get().close();
        return clean;
    }

    private boolean shutdown(Duration wait) {
        if (!isAlive()) {
            return true;
        }
        try {
            RespClient.once(port, password, Duration.ofSeconds(2), "SHUTDOWN");
        } catch (RuntimeException e) {
            log.debug("SHUTDOWN of redis-server on port {}: {}", port, e.getMessage());
        }
        try {
            if (process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            log.warn("redis-server on port {} did not stop within {} of SHUTDOWN; killing it", port, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        return false;
    }

    private void launch() {
        process = Processes.start(binary, args, dir, output);
        Readiness.await(process, port, password, output.file());
        log.info("redis-server {} started on port {} (pid {})", binary, port, process.pid());
    }

    /** A TCP port that was free a moment ago on 127.0.0.1. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
