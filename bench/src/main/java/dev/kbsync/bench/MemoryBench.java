package dev.kbsync.bench;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory: a coordinator in a child JVM holding {@code jobs} queued jobs over {@code kbs} KBs (no worker polls, so they
 * stay queued); reads used heap after a full GC (jcmd, any of HotSpot's collectors) and the process RSS.
 */
final class MemoryBench {
    /**
     * A heap's or generation's used size in {@code jcmd GC.heap_info}: G1 ({@code garbage-first heap total 48128K, used
     * 13091K}), Parallel ({@code PSYoungGen} and {@code ParOldGen}) and Serial ({@code def new generation} and
     * {@code tenured generation}) as {@code total <n>K, used <n>K}, a line each; ZGC as {@code ZHeap used 24M, capacity
     * ...}; Shenandoah as {@code ..., 256M committed, 11875K used}. Metaspace lines say {@code used} too, without a
     * total: they are not matched.
     */
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\s*(?:\\S.*?\\s+total \\d+[KMG], used (\\d+)([KMG])"
            + "|ZHeap\\s+used (\\d+)([KMG])"
            + "|\\d+[KMG] max, .*?, (\\d+)([KMG]) used)");

    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final int IN_FLIGHT = 32;

    private MemoryBench() {}

    static List<Measurement> run(BenchContext ctx, int kbs, int jobs) throws Exception {
        return run(ctx, kbs, jobs, Map.of());
    }

    /** With coordinator settings ({@code extra}, environment variables) other than the defaults. */
    static List<Measurement> run(BenchContext ctx, int kbs, int jobs, Map<String, String> extra) throws Exception {
        try (ChildCoordinator child = ChildCoordinator.start(ctx, extra);
                KbsyncClient api = child.client(IN_FLIGHT)) {
            KbsyncLeases.register(api, KbsyncLeases.names("m-", kbs));
            submit(api, kbs, jobs);
            child.jcmd("GC.run");
            double heap = heapUsedMib(child.jcmd("GC.heap_info"));
            double rss = mib(RSS, child.procStatus());
            String what = String.format("%,d queued jobs over %,d KBs", jobs, kbs);
            return List.of(
                    Measurement.size("kbsync coordinator used heap after GC (child JVM, -Xmx256m)", heap, what),
                    Measurement.size("kbsync coordinator RSS (child JVM, -Xmx256m)", rss, what));
        }
    }

    private static void submit(KbsyncClient api, int kbs, int jobs) throws Exception {
        List<Future<Job>> window = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            window.add(api.async()
                    .submitNote(
                            KbId.of("m-" + (i % kbs)), NoteRequest.of("bench", "note " + i + " for the memory bench")));
            if (window.size() == IN_FLIGHT) {
                Future.all(window).await(60, TimeUnit.SECONDS);
                window.clear();
            }
        }
        Future.all(window).await(60, TimeUnit.SECONDS);
    }

    /**
     * The used heap in MiB from {@code jcmd <pid> GC.heap_info}, whichever of HotSpot's collectors the child runs (the
     * generations summed where it has two).
     */
    static double heapUsedMib(String heapInfo) {
        Matcher m = HEAP_USED.matcher(heapInfo);
        double mib = 0;
        boolean found = false;
        while (m.find()) {
            for (int g = 1; g < m.groupCount(); g += 2) {
                if (m.group(g) != null) {
                    mib += Long.parseLong(m.group(g)) * unitMib(m.group(g + 1));
                    found = true;
                }
            }
        }
        if (!found) {
            throw new IllegalStateException("no used heap in: " + heapInfo);
        }
        return mib;
    }

    private static double unitMib(String unit) {
        return switch (unit) {
            case "K" -> 1 / 1024.0;
            case "M" -> 1;
            default -> 1024; // G
        };
    }

    private static double mib(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in: " + text);
        }
        return Long.parseLong(m.group(1)) / 1024.0;
    }
}
