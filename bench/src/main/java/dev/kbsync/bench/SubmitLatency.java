package dev.kbsync.bench;

import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.engine.event.Events;
import dev.kbsync.coordinator.engine.redis.Script;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Scenario 8: {@code POST /v1/kbs/{kb}/notes -> 202} through the Java client on a busy KB (the first job holds it, no
 * worker: the others queue), with the short answer a bot that only needs the job's id and place asks for
 * ({@code Prefer: return=minimal}; the whole job's answer is measured too, for information), against the HTTP floor plus one Redis round trip (a {@code GET /healthz}, then a Redisson
 * {@code GET} on the same Redis); then the Redis commands a submit sends, counted with {@code MONITOR} over a second
 * run (the health probe, Redisson's pings and the coordinator's presence messages, each on its own timer, left out; any
 * other {@code PUBLISH} is counted).
 */
final class SubmitLatency {
    /**
     * What the coordinator sends on timers of its own: Redisson's pings, the readiness probe, and its presence message
     * on the coordinators' topic ({@code h <origin>}, every few seconds); any other {@code PUBLISH} is counted.
     */
    static final List<String> BACKGROUND = List.of(
            "\"PING\"", "\"PUBLISH\" \"" + Events.TOPIC + "\" \"h ", "\"EXISTS\" \"kbsync:readyz\"", "\"MONITOR\"");

    private static final KbId KB = KbId.of("s-submit");
    private static final Map<String, String> SCRIPTS = scriptNames();

    private SubmitLatency() {}

    static List<Measurement> run(BenchContext ctx) throws Exception {
        int n = ctx.scaled(2000);
        int warmup = ctx.scaled(LockAnchors.WARMUP);
        NoteRequest note = NoteRequest.of("bench", "a note of the submit bench");
        Measurement submit;
        Measurement whole;
        Measurement floor;
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4)) {
            KbsyncLeases.register(api, List.of(KB.value()));
            List<Measurement> both = Timer.alternating(
                    "kbsync POST /v1/kbs/{kb}/notes -> 202 with Prefer: return=minimal (the job's id and place; the KB"
                            + " busy: the job queues)",
                    () -> api.submitNoteMinimal(KB, note),
                    "kbsync POST /v1/kbs/{kb}/notes -> 202 with the whole job (no preference), for information",
                    () -> api.submitNote(KB, note),
                    warmup,
                    n);
            submit = both.get(0);
            whole = both.get(1);
            RedissonClient redisson = LockAnchors.redisson(ctx.redisUri());
            try {
                RBucket<String> bucket = redisson.getBucket("kbsync:bench:floor", StringCodec.INSTANCE);
                floor = Timer.loop(
                        "HTTP floor + one Redis round trip: GET /healthz, then a Redisson GET", warmup, n, () -> {
                            api.health();
                            bucket.get();
                        });
            } finally {
                redisson.shutdown();
            }
        }
        return List.of(submit, floor, commandsPerSubmit(ctx, note, ctx.scaled(500)), whole);
    }

    /** A monitor line's command, and for a script call the engine script it runs (by its SHA-1). */
    private static String kind(String line) {
        String[] words = line.replaceFirst("^[^\\]]*\\] ", "").split(" ");
        String command = words[0];
        if (words.length > 1 && command.toUpperCase(Locale.ROOT).startsWith("\"EVALSHA")) {
            return command + " " + SCRIPTS.getOrDefault(words[1].replace("\"", ""), "(another script)");
        }
        return command;
    }

    private static Map<String, String> scriptNames() {
        Map<String, String> names = new HashMap<>();
        for (Script script : Script.values()) {
            try {
                byte[] sha =
                        MessageDigest.getInstance("SHA-1").digest(script.text().getBytes(StandardCharsets.UTF_8));
                names.put(HexFormat.of().formatHex(sha), script.name());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return Map.copyOf(names);
    }

    /** A second coordinator (sweep every 60 s, so no periodic script runs meanwhile) and {@code n} submits counted. */
    private static Measurement commandsPerSubmit(BenchContext ctx, NoteRequest note, int n) throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri(), Map.of("KBSYNC_LEASE_SWEEP_MILLIS", "60000"));
                KbsyncClient api = server.client(1);
                CommandMonitor monitor = CommandMonitor.start(ctx.redisUri(), BACKGROUND)) {
            for (int i = 0; i < 20; i++) {
                api.submitNoteMinimal(KB, note); // warm: scripts loaded, connections open
            }
            monitor.reset();
            for (int i = 0; i < n; i++) {
                api.submitNoteMinimal(KB, note);
            }
            List<String> commands = monitor.counted();
            double perSubmit = commands.size() / (double) n;
            String kinds = commands.stream()
                    .map(SubmitLatency::kind)
                    .collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()))
                    .entrySet()
                    .stream()
                    .map(e -> e.getValue() + " " + e.getKey())
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("none");
            return Measurement.perOp(
                    "Redis commands per submit (MONITOR, client commands only)",
                    perSubmit,
                    String.format(Locale.ROOT, "%,d commands over %,d submits: %s", commands.size(), n, kinds));
        }
    }
}
