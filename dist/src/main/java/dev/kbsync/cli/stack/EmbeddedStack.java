package dev.kbsync.cli.stack;

import dev.kbsync.config.Check;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.redis.DirInUseException;
import dev.kbsync.redis.DirLock;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.worker.process.WorkerConfig;
import dev.kbsync.worker.process.WorkerProcess;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis (embedded unless given), one coordinator on loopback with auth off, {@code n} in-process workers and the
 * {@code demo} KB backed by a local bare repository: the production code paths folded into one process. The embedded
 * Redis keeps its data in {@code <data dir>/redis} (append-only file), so a restart in the same directory resumes
 * every accepted job; one process at a time owns a data directory.
 */
public final class EmbeddedStack implements AutoCloseable {
    public static final String DEMO_KB = StackEnv.DEMO_KB;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStack.class);
    private static final Duration REDIS_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HOUSEKEEPING_EVERY = Duration.ofSeconds(10);

    /**
     * The registry the coordinator's meters join, with the Vert.x it reports into (JVM, process and HTTP server meters),
     * as a standalone coordinator's: the in-process workers run on the same Vert.x, their health servers' requests
     * among its HTTP server meters.
     */
    private final ProcessMetrics metrics = new ProcessMetrics();

    private final Vertx vertx = metrics.vertx();
    private final StackOptions options;
    private final List<WorkerProcess> workers = new ArrayList<>();
    /** The data directory's owner lock, held from the start to the end of the stop. */
    private DirLock owner;

    private Path data;

    private RedisProcess redis;
    private Coordinator coordinator;
    /** The stop's bounds, from the settings as {@link #claim} read them (by default 60 s of grace, 20 s). */
    private Duration workerGrace = Duration.ofSeconds(60);

    private Duration coordinatorStopBound = Duration.ofSeconds(20);
    private String redisUri;
    private Path demoRemote;
    private RemoteHousekeeping housekeeping;
    private Resumed resumed;

    private EmbeddedStack(StackOptions options) {
        this.options = options;
    }

    public static EmbeddedStack start(StackOptions options) throws IOException {
        return claim(options).boot(PhaseListener.NONE);
    }

    /** As {@link #start(StackOptions)}, with {@code phases} observing every job cycle of the workers (tests). */
    static EmbeddedStack start(StackOptions options, PhaseListener phases) throws IOException {
        return claim(options).boot(phases);
    }

    /**
     * Reads the stack's settings (a bad one in the environment is a {@code ConfigException}), then takes the data
     * directory (created if missing) for this process: nothing else is started or written, so a refusal (another
     * stack owns the directory) changes nothing, its log included. {@link #boot} starts the stack; {@link #close()}
     * lets the directory go.
     */
    public static EmbeddedStack claim(StackOptions options) {
        StackEnv.Checked checked = StackEnv.check(options);
        EmbeddedStack stack = new EmbeddedStack(options);
        stack.workerGrace = checked.worker().shutdownGrace();
        stack.coordinatorStopBound = checked.coordinator().shutdown().timeout();
        try {
            stack.data = DataDir.writable(options.dataDir());
            stack.owner = own(stack.data);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** The data directory this stack owns (after {@link #claim}). */
    public Path dataDir() {
        return data;
    }

    /** Starts the claimed stack; a failed start stops what it started and lets the directory go. */
    public EmbeddedStack boot() throws IOException {
        return boot(PhaseListener.NONE);
    }

    /** As {@link #boot()}, with {@code phases} observing every job cycle of the workers (tests). */
    EmbeddedStack boot(PhaseListener phases) throws IOException {
        try {
            run(phases);
            return this;
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    private void run(PhaseListener phases) throws IOException {
        redisUri = options.redisUri().map(EmbeddedStack::reachable).orElseGet(() -> {
            Path dir = DataDir.child(data, "redis");
            try {
                redis = RedisProcess.startPersistent(dir, options.redisFsync());
                redis.restartOnExit(); // a crash of redis-server alone: up again on its append-only file
            } catch (RuntimeException e) {
                throw StartFailure.redisServer(e);
            }
            return redis.uri();
        });
        demoRemote = DemoRemote.ensure(data.resolve("remotes/demo.git"), data.resolve("tmp"), true);
        housekeeping = RemoteHousekeeping.start(demoRemote, HOUSEKEEPING_EVERY);
        CoordinatorConfig config =
                CoordinatorConfig.load(Optional.empty(), StackEnv.coordinator(options, redisUri, demoRemote));
        try {
            coordinator = Coordinator.start(vertx, config, metrics).await();
            coordinatorStopBound = config.shutdown().timeout();
        } catch (Exception e) { // await() rethrows the failure as it is, a BindException included
            Optional<StartFailure> expected = StartFailure.of(e, StartFailure.Advice.up(options.port(), redisUri));
            if (expected.isPresent()) {
                throw expected.get();
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("the coordinator did not start", e);
        }
        resumed = Resumed.find(coordinator.services(), embeddedRedis());
        for (int i = 1; i <= options.workers(); i++) {
            WorkerConfig workerConfig = StackEnv.worker(options, data, i, baseUrl());
            workerGrace = workerConfig.shutdownGrace();
            workers.add(WorkerProcess.start(vertx, workerConfig, System.getenv(), phases)
                    .await());
        }
        log.info(
                "embedded stack up: redis {}, coordinator {}, {} workers, KB demo -> {}",
                Check.masked(redisUri),
                baseUrl(),
                workers.size(),
                demoRemote);
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + coordinator.port());
    }

    /** The Redis the coordinator uses; the embedded one's carries its password: show it {@code Check.masked}. */
    public String redisUri() {
        return redisUri;
    }

    public boolean embeddedRedis() {
        return redis != null;
    }

    /** The embedded redis-server's pid now (empty with an external Redis). */
    public java.util.OptionalLong redisPid() {
        return redis == null || !redis.isAlive()
                ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(redis.pid());
    }

    /** The jobs this start found in Redis from an earlier run (see {@link Resumed}). */
    public Resumed resumed() {
        return resumed;
    }

    /** The pid of a redis-server that a killed earlier run left behind and this start stopped. */
    public Optional<Long> stoppedLeftover() {
        return redis == null ? Optional.empty() : redis.stoppedLeftover();
    }

    public Path demoRemote() {
        return demoRemote;
    }

    public int workerCount() {
        return workers.size();
    }

    /** As {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Stops workers (they finish their jobs), then the coordinator and Vert.x, then the embedded Redis ({@code
     * SHUTDOWN}: its append-only file is complete; killed if it does not stop), all within {@link #stopBound()}: past
     * it a WARN names what had not finished, and the stop goes on to the Redis (see {@link StackStop}).
     */
    public StopOutcome stop() {
        try {
            return StackStop.run(workerGrace, coordinatorStopBound, workers, housekeeping, coordinator, vertx, redis);
        } finally {
            if (owner != null) {
                owner.close();
            }
        }
    }

    /**
     * Takes {@code data}'s owner lock ({@code kbsync.lock}), with an external Redis as with the embedded one: one stack
     * per directory, so what a dead owner left there (a git lock file in the demo remote) is this stack's to remove.
     */
    private static DirLock own(Path data) {
        try {
            return DirLock.take(data.resolve("kbsync.lock"));
        } catch (DirInUseException e) {
            throw StartFailure.dataDirInUse(e);
        } catch (UncheckedIOException e) {
            throw StartFailure.dataDir(data, e.getCause());
        }
    }

    /** How long a whole stop may take: the workers' {@code shutdown.grace} plus the coordinator's bound. */
    public Duration stopBound() {
        return StackStop.bound(workerGrace, coordinatorStopBound);
    }

    /** {@code uri} if something listens on its host and port (else Redisson would retry for ~10 s before failing). */
    private static String reachable(String uri) {
        URI parsed = URI.create(uri);
        int port = parsed.getPort() > 0 ? parsed.getPort() : 6379;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(parsed.getHost(), port), (int) REDIS_CONNECT_TIMEOUT.toMillis());
            return uri;
        } catch (IOException | IllegalArgumentException e) {
            throw StartFailure.redisUnreachable(StartFailure.Advice.up(0, uri), String.valueOf(e.getMessage()), e);
        }
    }
}
