package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis memory per job, measured with {@code MEMORY USAGE} over every key of the KB (plus {@code kbsync:ready}): per
 * queued job (submitted, waiting) and per retained job (done, kept for the retention), for notes of 200 characters.
 * Each is held to its target: 1 KiB for a queued job, 512 bytes for a retained one (docs/benchmarks.md, "Redis memory
 * per job"), so that a record or index entry that grows by accident fails. Each key's share is logged.
 * The numbers go to docs/benchmarks.md.
 */
class JobMemoryIT {
    private static final Logger LOG = LoggerFactory.getLogger(JobMemoryIT.class);
    private static final int JOBS = 200;
    private static final String TEXT = "x".repeat(200);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldKeepAQueuedJobWithinOneKibibyteAndARetainedOneWithin512Bytes() {
        try (Coordinators coordinators = new Coordinators(redis)) {
            // a lease long enough that the holder keeps the KB while 200 jobs queue on a loaded machine
            Engine engine = coordinators.start(new EngineConfig(
                    "m1",
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(3),
                    Duration.ofMillis(1500),
                    Duration.ofMillis(100)));
            KbId kb = KbId.of("memory");
            coordinators.register(engine, kb.value());
            JobService jobs = engine.services().jobs();
            Assignment holder = submitAndTake(jobs, kb); // the KB is held, so the next jobs wait
            Map<String, Long> empty = bytes(kb);

            for (int i = 0; i < JOBS; i++) {
                await(jobs.submit(kb, "user" + i, new JobPayload.Note(TEXT, null, null), Optional.empty()));
            }
            long queued = perJob(empty, bytes(kb));
            await(jobs.complete(holder.job().id(), done(holder)));
            for (int i = 0; i < JOBS; i++) {
                Assignment a = await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
                await(jobs.complete(a.job().id(), done(a)));
            }
            Map<String, Long> full = bytes(kb);
            long retained = perJob(empty, full);
            full.forEach((key, b) -> {
                long share = (b - empty.getOrDefault(key, 0L)) / JOBS;
                if (share != 0) {
                    LOG.info("a retained job's share of {}: {} bytes", key, share);
                }
            });
            try (RespClient client = RespClient.connect(redis.port(), Duration.ofSeconds(5))) {
                java.util.LongSummaryStatistics lengths = new java.util.LongSummaryStatistics();
                for (Object v : (List<?>) client.call("HVALS", new KbKeys(kb).prefix() + "tickets")) {
                    lengths.accept(String.valueOf(v).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
                }
                LOG.info("retained records' lengths: {}", lengths);
            }
            LOG.info(
                    "a retained job's record: {}",
                    RespClient.once(
                            redis.port(),
                            Duration.ofSeconds(5),
                            "HGET",
                            new KbKeys(kb).prefix() + "tickets",
                            holder.job().id().substring(kb.value().length() + 1)));

            LOG.info(
                    "Redis memory per job (note of {} chars): queued {} bytes, retained after done {} bytes",
                    TEXT.length(),
                    queued,
                    retained);
            assertThat(queued).as("bytes per queued job (target 1 KiB)").isBetween(1L, 1024L);
            assertThat(retained).as("bytes per retained job (target 512)").isBetween(1L, 512L);
        }
    }

    private static Assignment submitAndTake(JobService jobs, KbId kb) {
        await(jobs.submit(kb, "holder", new JobPayload.Note(TEXT, null, null), Optional.empty()));
        return await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
    }

    private static JobOutcome done(Assignment a) {
        return new JobOutcome.Done(
                a.lease().id(),
                "0123456789abcdef0123456789abcdef01234567",
                List.of(new FileChange("notes/" + a.job().id().substring(7) + ".md", FileChange.Change.CREATED, null)),
                0);
    }

    /** Bytes per job: the growth from {@code before} to {@code after} over all keys, over {@link #JOBS}. */
    private static long perJob(Map<String, Long> before, Map<String, Long> after) {
        long sum = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum / JOBS;
    }

    /** MEMORY USAGE (exact: SAMPLES 0) of each of the KB's keys and the ready set. */
    private static Map<String, Long> bytes(KbId kb) {
        Map<String, Long> out = new TreeMap<>();
        try (RespClient client = RespClient.connect(redis.port(), Duration.ofSeconds(5))) {
            List<Object> keys = new ArrayList<>(new KbKeys(kb).all());
            keys.add("kbsync:ready");
            for (Object key : keys) {
                Object usage = client.call("MEMORY", "USAGE", String.valueOf(key), "SAMPLES", "0");
                out.put(String.valueOf(key), usage == null ? 0 : (Long) usage);
            }
        }
        return out;
    }
}
