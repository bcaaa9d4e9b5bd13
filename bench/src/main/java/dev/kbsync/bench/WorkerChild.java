package dev.kbsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A worker process of scenario 10: its own JVM ({@code WorkerMain}), cache dir, metrics port and log file. */
record WorkerChild(String id, Process process, int metricsPort, Path log) {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerChild.class);

    static WorkerChild start(Path dir, int coordinatorPort, String id) throws IOException {
        int metricsPort = ChildCoordinator.freePort();
        Path log = dir.resolve(id + ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.kbsync.worker.process.WorkerMain")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment()
                .putAll(Map.of(
                        "KBSYNC_COORDINATOR_URL",
                        "http://127.0.0.1:" + coordinatorPort,
                        "KBSYNC_WORKER_ID",
                        id,
                        "KBSYNC_CACHE_DIR",
                        cache(dir, id).toString(),
                        "KBSYNC_CONCURRENCY",
                        "1",
                        "KBSYNC_WORKER_HTTP_PORT",
                        Integer.toString(metricsPort),
                        "KBSYNC_POLL_WAIT",
                        "2s",
                        "KBSYNC_SHUTDOWN_GRACE",
                        "5s"));
        return new WorkerChild(id, builder.start(), metricsPort, log);
    }

    static Path cache(Path dir, String id) {
        return dir.resolve(id + "-cache");
    }

    /** The KBs this worker has cloned so far: the checkouts ({@code <cache>/<kb>/work/.git}) in its cache. */
    long clones() {
        Path cache = cache(log.getParent(), id);
        if (!Files.isDirectory(cache)) {
            return 0;
        }
        try (Stream<Path> kbs = Files.list(cache)) {
            return kbs.filter(kb -> Files.isDirectory(kb.resolve("work").resolve(".git")))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM: the worker stops polling and finishes its cycle within its grace. */
    void stop() {
        process.destroy();
    }

    void awaitStopped() {
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                LOG.warn("worker {} did not stop within 15 s; killing it", id);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
