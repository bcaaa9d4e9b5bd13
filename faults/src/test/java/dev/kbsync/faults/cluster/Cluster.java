package dev.kbsync.faults.cluster;

import dev.kbsync.faults.client.Answer;
import dev.kbsync.faults.client.Api;
import dev.kbsync.faults.client.Pause;
import dev.kbsync.redis.RedisProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system under test: 2 coordinators and 3 workers (each worker polls one coordinator), every one its own JVM, on
 * one Redis setup given by its coordinator settings; KBs are added with their own bare remote under {@code dir}. Short
 * timings so faults resolve in seconds: lease TTL 2 s, sweep 100 ms, lock watchdog 2 s, worker long-poll 2 s.
 */
public final class Cluster implements AutoCloseable {
    /**
     * Tokens of this test JVM's clusters, unlike another JVM's: a coordinator of another test that took a port picked
     * for this cluster answers them 401 ({@link #ownsPort}).
     */
    private static final String TOKENS = String.format("%016x", new SecureRandom().nextLong());

    private static final String ADMIN_TOKEN = "faults-admin-" + TOKENS;
    private static final String CLIENT_TOKEN = "faults-client-" + TOKENS;
    private static final String WORKER_TOKEN = "faults-worker-" + TOKENS;
    public static final int LEASE_TTL_SECONDS = 2;

    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    private static final long READY_NANOS = TimeUnit.SECONDS.toNanos(90);
    /** Starts of the cluster on fresh ports when a coordinator finds its port taken. */
    private static final int PORT_ATTEMPTS = 3;

    private final Path dir;
    private final Path logs;
    private final List<JvmProcess> coordinators = new ArrayList<>();
    private final List<URI> urls = new ArrayList<>();
    private final List<WorkerNode> workers = new ArrayList<>();
    private GitDaemon daemon;
    private final Api admin;
    private final Api client;

    private Cluster(Path dir, Path logs, List<URI> urls) {
        this.dir = dir;
        this.logs = mkdirs(logs);
        this.urls.addAll(urls);
        this.admin = new Api(urls, ADMIN_TOKEN);
        this.client = new Api(urls, CLIENT_TOKEN);
    }

    /**
     * Starts the coordinators with {@code redisEnv} (KBSYNC_REDIS_ADDRESS or KBSYNC_REDIS_CONFIG_FILE), then the
     * workers; remotes and checkouts live in {@code dir}, each process's output in {@code logs}.
     */
    public static Cluster start(Path dir, Path logs, Map<String, String> redisEnv, int workerCount) {
        for (int attempt = 1; ; attempt++) {
            List<URI> urls = List.of(url(RedisProcess.freePort()), url(RedisProcess.freePort()));
            Cluster cluster = new Cluster(dir, logs, urls);
            try {
                cluster.launch(redisEnv, workerCount);
                return cluster;
            } catch (PortTaken e) {
                cluster.close();
                if (attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                log.warn("{}; starting the cluster again on other ports", e.getMessage());
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }
    }

    /**
     * A coordinator exited at start because its port, free when picked, was taken meanwhile (another test's server
     * bound it first): the cluster starts again on other ports.
     */
    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }

    private void launch(Map<String, String> redisEnv, int workerCount) {
        for (int i = 0; i < urls.size(); i++) {
            Map<String, String> env = new HashMap<>(redisEnv);
            env.put("KBSYNC_COORDINATOR_ID", "coord-" + i);
            env.put("KBSYNC_HTTP_PORT", Integer.toString(urls.get(i).getPort()));
            env.put("KBSYNC_TOKENS", "admin:" + ADMIN_TOKEN + ",worker:" + WORKER_TOKEN + ",client:" + CLIENT_TOKEN);
            env.put("KBSYNC_RATE_LIMIT_SUBMISSIONS", "1000000");
            env.put("KBSYNC_LEASE_TTL_SECONDS", Integer.toString(LEASE_TTL_SECONDS));
            env.put("KBSYNC_LEASE_MAX_HOLD_SECONDS", "30");
            env.put("KBSYNC_LEASE_SWEEP_MILLIS", "100");
            env.put("KBSYNC_LOCK_WATCHDOG_SECONDS", "2");
            coordinators.add(JvmProcess.start(
                    "coord-" + i, "dev.kbsync.coordinator.CoordinatorMain", env, logs.resolve("coord-" + i + ".log")));
        }
        for (int i = 0; i < urls.size(); i++) {
            awaitReady(i);
            ownsPort(i);
        }
        for (int i = 0; i < workerCount; i++) {
            Map<String, String> env = new HashMap<>();
            env.put("KBSYNC_COORDINATOR_URL", urls.get(i % urls.size()).toString());
            env.put("KBSYNC_COORDINATOR_TOKEN", WORKER_TOKEN);
            env.put("KBSYNC_WORKER_HTTP_PORT", "0");
            env.put("KBSYNC_POLL_WAIT", "2s");
            env.put("KBSYNC_CONCURRENCY", "2");
            workers.add(WorkerNode.start(
                    "worker-" + i, mkdirs(dir.resolve("worker-" + i)), logs.resolve("worker-" + i + ".log"), env));
        }
        awaitWorkers(workerCount);
        log.info("cluster up: coordinators {}, workers {}", coordinators, workers);
    }

    /** Waits until coordinator {@code i} answers {@code GET /readyz} with 200. */
    public void awaitReady(int i) {
        long deadline = System.nanoTime() + READY_NANOS;
        while (true) {
            try {
                if (admin.get(urls.get(i), "/readyz").status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!coordinators.get(i).isAlive() && portTaken(i)) {
                throw new PortTaken(
                        "coordinator " + i + "'s port " + urls.get(i).getPort() + " was taken");
            }
            if (System.nanoTime() > deadline || !coordinators.get(i).isAlive()) {
                throw new IllegalStateException("coordinator " + i + " did not become ready; see " + logs);
            }
            Pause.millis(100);
        }
    }

    /**
     * Throws {@link PortTaken} when the coordinator that answered on coordinator {@code i}'s port does not know this
     * cluster's tokens: another test's coordinator bound the port first (this one then exited at start), and its
     * {@code /readyz} passed for this one's (once this cluster's workers polled another test's cluster).
     */
    private void ownsPort(int i) {
        try {
            int status = admin.get(urls.get(i), "/v1/kbs").status();
            if (status == 401 || status == 403) {
                throw new PortTaken(
                        "coordinator " + i + "'s port " + urls.get(i).getPort()
                                + " is served by another test's coordinator (it answered this cluster's admin token "
                                + status + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException("coordinator " + i + " stopped answering right after its start", e);
        }
    }

    private boolean portTaken(int i) {
        try {
            String log = Files.readString(logs.resolve("coord-" + i + ".log")); // appended to: its own start's end
            return log.substring(Math.max(0, log.length() - 4000)).contains("Address already in use");
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitWorkers(int count) {
        long deadline = System.nanoTime() + READY_NANOS;
        while (System.nanoTime() < deadline) {
            try {
                Answer answer = admin.get(urls.get(0), "/v1/workers");
                long up = answer.body().getJsonArray("workers", new io.vertx.core.json.JsonArray()).stream()
                        .filter(w -> "up".equals(((JsonObject) w).getString("state")))
                        .count();
                if (up >= count) {
                    return;
                }
            } catch (IOException notYet) {
                // retry
            }
            Pause.millis(200);
        }
        throw new IllegalStateException("the workers did not register; see " + logs);
    }

    /**
     * Creates {@code kb}'s bare remote and registers it with a {@code file://} URL, or, when {@code overGit}, with a
     * {@code git://} URL of the cluster's {@code git daemon} (whose pushes run the remote's hooks); returns its path.
     */
    public Path addKb(String kb, boolean overGit) {
        Path bare = dir.resolve("remotes").resolve(kb + ".git");
        Git.createRemote(bare, mkdirs(dir.resolve("seeds")).resolve(kb));
        String url = overGit ? daemon().url(kb + ".git") : bare.toUri().toString();
        try {
            Answer answer = admin.put(
                    urls.get(0),
                    "/v1/kbs/" + kb,
                    new JsonObject().put("remote", url).put("branch", "main"));
            if (answer.status() != 200) {
                throw new IllegalStateException("registering " + kb + ": " + answer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bare;
    }

    private synchronized GitDaemon daemon() {
        if (daemon == null) {
            daemon = GitDaemon.start(dir.resolve("remotes"), logs.resolve("git-daemon.log"));
        }
        return daemon;
    }

    /** Where the cluster's processes write their output (kept after the run). */
    public Path logs() {
        return logs;
    }

    public Path remote(String kb) {
        return dir.resolve("remotes").resolve(kb + ".git");
    }

    public Path dir() {
        return dir;
    }

    public Api client() {
        return client;
    }

    public Api admin() {
        return admin;
    }

    public List<URI> urls() {
        return List.copyOf(urls);
    }

    public List<JvmProcess> coordinators() {
        return List.copyOf(coordinators);
    }

    public List<WorkerNode> workers() {
        return List.copyOf(workers);
    }

    @Override
    public void close() {
        workers.forEach(WorkerNode::close);
        coordinators.forEach(JvmProcess::close);
        if (daemon != null) {
            daemon.close();
        }
    }

    private static URI url(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    private static Path mkdirs(Path path) {
        try {
            return Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
