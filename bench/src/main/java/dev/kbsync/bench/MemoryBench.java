package dev.kbsync.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory: a coordinator in a child JVM ({@code -Xmx256m}, G1) holding {@code jobs} queued jobs over {@code kbs} KBs
 * (no worker polls, so they stay queued); reads used heap after a full GC (jcmd) and the process RSS.
 */
final class MemoryBench {
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final int IN_FLIGHT = 32;

    private MemoryBench() {}

    static List<Measurement> run(BenchContext ctx, int kbs, int jobs) throws Exception {
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:+UseG1GC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.kbsync.coordinator.CoordinatorMain")
                .redirectErrorStream(true)
                .redirectOutput(Files.createTempFile(ctx.scratch(), "coordinator", ".log")
                        .toFile());
        builder.environment().putAll(KbsyncServer.env(ctx.redisUri(), port));
        Process child = builder.start();
        try (Api api = new Api(port, IN_FLIGHT)) {
            awaitReady(api, child);
            api.registerKbs(KbsyncLeases.names("m-", kbs));
            submit(api, kbs, jobs);
            jcmd(child, "GC.run");
            double heap = mib(HEAP_USED, jcmd(child, "GC.heap_info"));
            double rss = mib(RSS, Files.readString(Path.of("/proc", Long.toString(child.pid()), "status")));
            String what = String.format("%,d queued jobs over %,d KBs", jobs, kbs);
            return List.of(
                    Measurement.size("kbsync coordinator used heap after GC (child JVM, -Xmx256m)", heap, what),
                    Measurement.size("kbsync coordinator RSS (child JVM, -Xmx256m)", rss, what));
        } finally {
            child.destroy();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void submit(Api api, int kbs, int jobs) throws Exception {
        List<Future<JsonObject>> window = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            window.add(api.send(
                    HttpMethod.POST,
                    "/v1/kbs/m-" + (i % kbs) + "/notes",
                    new JsonObject().put("user", "bench").put("text", "note " + i + " for the memory bench")));
            if (window.size() == IN_FLIGHT) {
                Future.all(window).await(60, TimeUnit.SECONDS);
                window.clear();
            }
        }
        Future.all(window).await(60, TimeUnit.SECONDS);
    }

    private static void awaitReady(Api api, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                api.call(HttpMethod.GET, "/readyz", null);
                return;
            } catch (Exception notYet) {
                if (!child.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the child coordinator did not become ready", notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    private static String jcmd(Process child, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(child.pid()),
                        command)
                .redirectErrorStream(true)
                .start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    private static double mib(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in: " + text);
        }
        return Long.parseLong(m.group(1)) / 1024.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
