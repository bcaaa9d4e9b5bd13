package dev.kbsync.cli.stack;

import dev.kbsync.config.Check;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.ConfigKey;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.redis.DirInUseException;
import dev.kbsync.redis.DirLock;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.worker.process.WorkerConfig;
import dev.kbsync.worker.process.WorkerConfigLoader;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    public static final String DEMO_KB = "demo";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStack.class);
    private static final Duration REDIS_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HOUSEKEEPING_EVERY = Duration.ofSeconds(10);
    /** The in-process workers' {@code shutdown.grace}, taken from the environment as the standalone worker does. */
    private static final String SHUTDOWN_GRACE = "KBSYNC_SHUTDOWN_GRACE";

    /**
     * The registry the coordinator's meters join, with the Vert.x it reports into (JVM, process and HTTP server meters),
     * as a standalone coordinator's: the in-process workers run on the same Vert.x, their health servers' requests
     * among its HTTP server meters.
     */
    private final ProcessMetrics metrics = new ProcessMetrics();

    private final Vertx vertx = metrics.vertx();
    private final List<WorkerProcess> workers = new ArrayList<>();
    /** The data directory's owner lock, held from the start to the end of the stop. */
    private DirLock owner;

    private RedisProcess redis;
    private Coordinator coordinator;
    /** Bound the stop until the configuration is read: the defaults, 60 s of grace and 20 s for the coordinator. */
    private Duration workerGrace = Duration.ofSeconds(60);

    private Duration coordinatorStopBound = Duration.ofSeconds(20);
    private String redisUri;
    private Path demoRemote;
    private RemoteHousekeeping housekeeping;
    private Resumed resumed;

    private EmbeddedStack() {}

    public static EmbeddedStack start(StackOptions options) throws IOException {
        return start(options, PhaseListener.NONE);
    }

    /** As {@link #start(StackOptions)}, with {@code phases} observing every job cycle of the workers (tests). */
    static EmbeddedStack start(StackOptions options, PhaseListener phases) throws IOException {
        EmbeddedStack stack = new EmbeddedStack();
        try {
            stack.boot(options, phases);
            return stack;
        } catch (RuntimeException | IOException e) {
            stack.close();
            throw e;
        }
    }

    private void boot(StackOptions options, PhaseListener phases) throws IOException {
        Path data = DataDir.writable(options.dataDir());
        owner = own(data);
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
        CoordinatorConfig config = CoordinatorConfig.load(Optional.empty(), coordinatorEnv(options));
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
            Map<String, String> env = new HashMap<>(Map.of(
                    "KBSYNC_COORDINATOR_URL",
                    baseUrl().toString(),
                    "KBSYNC_WORKER_ID",
                    "up-worker-" + i,
                    "KBSYNC_CACHE_DIR",
                    data.resolve("checkouts/worker-" + i).toString(),
                    "KBSYNC_WORKER_HTTP_PORT",
                    "0",
                    "KBSYNC_POLL_WAIT",
                    "2s"));
            options.agentCommand().ifPresent(command -> env.put("KBSYNC_AGENT_COMMAND", command));
            Optional.ofNullable(System.getenv(SHUTDOWN_GRACE)).ifPresent(grace -> env.put(SHUTDOWN_GRACE, grace));
            WorkerConfig workerConfig = WorkerConfigLoader.load(env);
            if (workerConfig.stopWarning().isPresent()) { // a short grace: the poll fits its drain, no WARN
                env.put("KBSYNC_POLL_WAIT", workerConfig.drain().toMillis() + "ms");
                workerConfig = WorkerConfigLoader.load(env);
            }
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

    /**
     * The coordinator's settings; from the environment, as a standalone coordinator takes them, {@code
     * KBSYNC_SHUTDOWN_TIMEOUT_SECONDS} (the bound of its stop) and {@code KBSYNC_REDIS_ALLOW_EVICTION} (start on a
     * {@code --redis} that may evict keys).
     */
    private Map<String, String> coordinatorEnv(StackOptions options) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KBSYNC_HTTP_HOST",
                "127.0.0.1",
                "KBSYNC_HTTP_PORT",
                Integer.toString(options.port()),
                "KBSYNC_REDIS_ADDRESS",
                redisUri,
                "KBSYNC_AUTH_ENABLED",
                "false",
                "KBSYNC_METRICS_PUBLIC",
                "true",
                "KBSYNC_KBS",
                DEMO_KB + "=" + demoRemote + "#main"));
        for (ConfigKey key : List.of(ConfigKey.SHUTDOWN_TIMEOUT_SECONDS, ConfigKey.REDIS_ALLOW_EVICTION)) {
            Optional.ofNullable(System.getenv(key.env())).ifPresent(value -> env.put(key.env(), value));
        }
        return env;
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + coordinator.port());
    }

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
