package dev.kbsync.bench;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A coordinator in its own JVM ({@code -Xmx256m}, G1) on a free port, as deployed; output goes to a scratch file. */
final class ChildCoordinator implements AutoCloseable {
    /** The system property with the child's JVM flags besides {@code -Xmx256m} (space-separated; G1 by default). */
    static final String JVM_FLAGS = "kbsync.bench.coordinatorJvmFlags";

    private final Process process;
    private final int port;

    private ChildCoordinator(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ChildCoordinator start(BenchContext ctx) throws Exception {
        return start(ctx, Map.of());
    }

    /** A child coordinator with some settings ({@code extra}, environment variables) other than the bench's. */
    static ChildCoordinator start(BenchContext ctx, Map<String, String> extra) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(List.of(System.getProperty(JVM_FLAGS, "-XX:+UseG1GC").split(" ")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.kbsync.coordinator.CoordinatorMain"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Files.createTempFile(ctx.scratch(), "coordinator", ".log")
                        .toFile());
        builder.environment().putAll(KbsyncServer.env(ctx.redisUri(), port));
        builder.environment().putAll(extra);
        ChildCoordinator child = new ChildCoordinator(builder.start(), port);
        try (KbsyncClient api = child.client(1)) {
            child.awaitReady(api);
        } catch (Exception e) {
            child.close();
            throw e;
        }
        return child;
    }

    KbsyncClient client(int connections) {
        return KbsyncServer.client(port, connections);
    }

    int port() {
        return port;
    }

    /** The child's process id (its CPU time is in /proc). */
    long pid() {
        return process.pid();
    }

    /** Runs a jcmd diagnostic command against the child, e.g. {@code GC.run}, and returns its output. */
    String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(process.pid()),
                        command)
                .redirectErrorStream(true)
                .start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    /** The child's {@code GET /metrics} (Prometheus text; the bench's coordinators run without auth). */
    String metrics() throws IOException, InterruptedException {
        // HTTP/1.1, as Prometheus scrapes (the coordinator declines the JDK client's default h2c upgrade anyway).
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    /** The child's /proc status (VmRSS and friends). */
    String procStatus() throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(process.pid()), "status"));
    }

    private void awaitReady(KbsyncClient api) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                api.ready();
                return;
            } catch (KbsyncException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the child coordinator did not become ready", notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    /** A port free on this machine right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
