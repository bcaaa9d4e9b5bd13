package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job that left the queue is stored in one compact record (its submitted record folded into its ticket, see
 * lib.lua): every reader sees it as before, whatever its outcome, and records written in the earlier layout (the
 * submitted record in the jobs hash, the ticket in full, its place in the ended set) still read, answer a repeated
 * report and are purged after the retention.
 */
class JobRecordFormIT {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Coordinators coordinators;

    @AfterEach
    void stop() {
        coordinators.close();
        RespClient.once(redis.port(), Duration.ofSeconds(2), "FLUSHALL");
    }

    @Test
    void shouldReadAFinishedJobAsItWasReportedWhateverItsOutcome() {
        Engine engine = start(Duration.ofHours(1));
        KbId kb = KbId.of("forms");
        coordinators.register(engine, kb.value());
        JobService jobs = engine.services().jobs();
        // a text that JSON escapes (quotes, a slash, a newline, a backslash, non-ASCII) and a note with title and path
        JobPayload.Note note =
                new JobPayload.Note("a \"quoted\" / slashed\nline \\ é ✓ " + "y".repeat(150), "Title", "inbox/a.md");
        Job submitted = await(jobs.submit(kb, "ann", note, Optional.of("idem-1")));
        Assignment a = await(jobs.poll("worker-1", Duration.ofSeconds(10))).orElseThrow();
        List<FileChange> files = List.of(
                new FileChange("inbox/a.md", FileChange.Change.CREATED, null),
                new FileChange("index.md", FileChange.Change.EDITED, "https://example.test/blob/index.md"),
                new FileChange("old.md", FileChange.Change.DELETED, null));
        JobOutcome.Done done =
                new JobOutcome.Done(a.lease().id(), COMMIT, "https://example.test/commit/" + COMMIT, files, 0);
        Job reported = await(jobs.complete(submitted.id(), done));

        Job read = await(jobs.get(submitted.id()));
        assertThat(read).isEqualTo(reported);
        assertThat(read.payload()).isEqualTo(note);
        assertThat(read.user()).isEqualTo("ann");
        assertThat(read.createdAt()).isEqualTo(submitted.createdAt());
        assertThat(read.state()).isEqualTo(JobState.DONE);
        assertThat(read.commit()).isEqualTo(COMMIT);
        assertThat(read.commitUrl()).isEqualTo(done.commitUrl());
        assertThat(read.files()).isEqualTo(files);
        assertThat(read.fencingToken()).isEqualTo(a.lease().fencingToken());
        assertThat(read.firstFencingToken()).isEqualTo(a.lease().fencingToken());
        assertThat(read.attempts()).isEqualTo(1);
        assertThat(read.startedAt()).isNotNull();
        assertThat(read.finishedAt()).isNotNull().isAfterOrEqualTo(read.startedAt());
        assertThat(await(jobs.complete(submitted.id(), done)))
                .as("a repeated report answers the recorded job")
                .isEqualTo(read);
        Lease lease = await(engine.services().leases().get(a.lease().id()));
        assertThat(lease.holder()).isEqualTo("worker-1");
        assertThat(lease.jobId()).isEqualTo(submitted.id());
        assertThat(lease.fencingToken()).isEqualTo(a.lease().fencingToken());
        assertThat(stored(kb, "jobs", ticket(submitted)))
                .as("the submitted record, folded")
                .isNull();
        assertThat(String.valueOf(stored(kb, "tickets", ticket(submitted))))
                .as("the compact record: an array without field names")
                .startsWith("[")
                .doesNotContain("\"cm\"");
        assertThat(await(jobs.submit(kb, "ann", note, Optional.of("idem-1"))))
                .as("a retried submit finds the finished job by its idempotency key")
                .isEqualTo(read);

        // an agent's answer, a failure on its second attempt, a job cancelled while queued
        Job agent = await(jobs.submit(kb, "bob", new JobPayload.Agent("summarise the inbox"), Optional.empty()));
        Assignment b = await(jobs.poll("worker-1", Duration.ofSeconds(10))).orElseThrow();
        Job answered = await(jobs.complete(
                agent.id(), new JobOutcome.Done(b.lease().id(), null, null, List.of(), 0, "the \"answer\"\n")));
        Job failing = await(jobs.submit(kb, "cy", new JobPayload.Note("fails", null, null), Optional.empty()));
        Job cancelled = await(jobs.submit(kb, "dee", new JobPayload.Note("never runs", null, null), Optional.empty()));
        Assignment c = await(jobs.poll("worker-1", Duration.ofSeconds(10))).orElseThrow();
        JobError stale = new JobError("STALE_FENCE", "branch fenced above");
        assertThat(await(jobs.complete(
                                failing.id(), new JobOutcome.Failed(c.lease().id(), stale, 0)))
                        .state())
                .as("refused for a stale fence: queued again")
                .isEqualTo(JobState.QUEUED);
        assertThat(await(jobs.cancel(cancelled.id(), Optional.empty())).state()).isEqualTo(JobState.CANCELLED);
        Assignment again = await(jobs.poll("worker-1", Duration.ofSeconds(10))).orElseThrow();
        JobError error = new JobError("PUSH_REJECTED", "gave up after \"3\" tries");
        Job failed = await(
                jobs.complete(failing.id(), new JobOutcome.Failed(again.lease().id(), error, 0)));

        assertThat(await(jobs.get(agent.id()))).isEqualTo(answered);
        assertThat(answered.result()).isEqualTo("the \"answer\"\n");
        assertThat(answered.payload()).isEqualTo(new JobPayload.Agent("summarise the inbox"));
        assertThat(await(jobs.get(failing.id()))).isEqualTo(failed);
        assertThat(failed.error()).isEqualTo(error);
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(failed.firstFencingToken()).isEqualTo(c.lease().fencingToken());
        assertThat(failed.fencingToken()).isEqualTo(again.lease().fencingToken());
        Job cancelledRead = await(jobs.get(cancelled.id()));
        assertThat(cancelledRead.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelledRead.attempts()).isZero();
        assertThat(cancelledRead.fencingToken()).isNull();
        assertThat(cancelledRead.createdAt()).isEqualTo(cancelled.createdAt());

        List<Job> listed = await(jobs.list(query(kb))).jobs();
        assertThat(listed).containsExactlyInAnyOrder(cancelledRead, failed, answered, read);
    }

    @Test
    void shouldReadAnswerAndPurgeAJobStoredInTheEarlierLayout() {
        Engine engine = start(Duration.ofHours(1));
        KbId kb = KbId.of("earlier");
        coordinators.register(engine, kb.value());
        long now = System.currentTimeMillis();
        String ticket = "0123456789abcdef01234567";
        String lease = kb.value() + "~" + ticket + "." + (now - 900) + ".a1b2c3d4e5f6";
        Instant created = Instant.ofEpochMilli(now - 1000).plus(123, ChronoUnit.MICROS);
        writeEarlierLayout(
                kb, ticket, lease, now, created, now + Duration.ofHours(1).toMillis());

        assertReadsAsTheDoneNote(engine, kb, lease, "written before", created, now - 900, now - 800, now - 500);
    }

    /** A done note as the previous version stored it: the compact record as a JSON object with its field names. */
    @Test
    void shouldReadAndAnswerAJobStoredAsACompactObject() {
        Engine engine = start(Duration.ofHours(1));
        KbId kb = KbId.of("object");
        coordinators.register(engine, kb.value());
        long now = System.currentTimeMillis();
        long c = now - 1000;
        String ticket = "fedcba9876543210fedcba98";
        Instant created = Instant.ofEpochMilli(c).minus(32, ChronoUnit.MILLIS).plus(445, ChronoUnit.MICROS);
        long jc = ChronoUnit.MICROS.between(Instant.EPOCH, created) - c * 1000;
        JsonObject record = new JsonObject()
                .put("cm", COMMIT)
                .put("c", c)
                .put("js", "done")
                .put("fe", 100)
                .put("h", "ann")
                .put("ttl", 30000)
                .put("nd", 500)
                .put("jc", jc)
                .put("w", "w")
                .put("p", new JsonObject().put("text", "a compact object"))
                .put("sd", 200)
                .put("ln", "a1b2c3d4e5f6")
                .put("fl", new JsonArray().add("cnotes/a.md"));
        String p = new KbKeys(kb).prefix();
        try (RespClient client = RespClient.connect(redis.port(), Duration.ofSeconds(5))) {
            client.call("HSET", p + "tickets", ticket, record.encode());
            client.call("ZADD", p + "index", String.valueOf(c), ticket);
        }
        String lease = kb.value() + "~" + ticket + "." + (c + 100) + ".a1b2c3d4e5f6";

        assertReadsAsTheDoneNote(engine, kb, lease, "a compact object", created, c + 100, c + 200, c + 500);
    }

    /**
     * The job of {@code lease} (its id is the lease id up to the first dot), stored by hand as a done note of ann's (one
     * created file, notes/a.md, run once by worker w), reads, lists and answers a repeated report as it was written.
     */
    private static void assertReadsAsTheDoneNote(
            Engine engine, KbId kb, String lease, String text, Instant created, long fence, long started, long ended) {
        JobService jobs = engine.services().jobs();
        String jobId = lease.substring(0, lease.indexOf('.'));

        Job read = await(jobs.get(jobId));

        assertThat(read.state()).isEqualTo(JobState.DONE);
        assertThat(read.user()).isEqualTo("ann");
        assertThat(read.payload()).isEqualTo(new JobPayload.Note(text, null, null));
        assertThat(read.createdAt()).isEqualTo(created);
        assertThat(read.commit()).isEqualTo(COMMIT);
        assertThat(read.files()).containsExactly(new FileChange("notes/a.md", FileChange.Change.CREATED, null));
        assertThat(read.fencingToken()).isEqualTo(fence);
        assertThat(read.firstFencingToken()).isEqualTo(fence);
        assertThat(read.attempts()).isEqualTo(1);
        assertThat(read.startedAt()).isEqualTo(Instant.ofEpochMilli(started));
        assertThat(read.finishedAt()).isEqualTo(Instant.ofEpochMilli(ended));
        assertThat(await(jobs.list(query(kb))).jobs()).containsExactly(read);
        assertThat(await(jobs.complete(jobId, new JobOutcome.Done(lease, COMMIT, List.of(), 0))))
                .as("a repeated report answers the recorded job")
                .isEqualTo(read);
        Lease leaseRead = await(engine.services().leases().get(lease));
        assertThat(leaseRead.holder()).isEqualTo("w");
        assertThat(leaseRead.state()).isEqualTo(LeaseState.RELEASED);
        assertThat(leaseRead.ttlMs()).isEqualTo(30000);
    }

    /** A job queued before the compact submitted record (the whole queued job as JSON) that finishes now. */
    @Test
    void shouldFoldASubmittedRecordOfTheOldestFormAsItIs() {
        Engine engine = start(Duration.ofHours(1));
        KbId kb = KbId.of("oldest");
        coordinators.register(engine, kb.value());
        JobService jobs = engine.services().jobs();
        Job submitted =
                await(jobs.submit(kb, "ann", new JobPayload.Note("queued long ago", "T", null), Optional.empty()));
        RespClient.once(
                redis.port(),
                Duration.ofSeconds(2),
                "HSET",
                new KbKeys(kb).prefix() + "jobs",
                ticket(submitted),
                submitted.toJson().encode());
        Assignment a = await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();

        Job reported = await(
                jobs.complete(submitted.id(), new JobOutcome.Done(a.lease().id(), COMMIT, List.of(), 0)));

        Job read = await(jobs.get(submitted.id()));
        assertThat(read).isEqualTo(reported);
        assertThat(read.payload()).isEqualTo(submitted.payload());
        assertThat(read.createdAt()).isEqualTo(submitted.createdAt());
        assertThat(read.state()).isEqualTo(JobState.DONE);
        assertThat(stored(kb, "jobs", ticket(submitted))).isNull();
        assertThat(await(jobs.list(query(kb))).jobs()).containsExactly(read);
    }

    @Test
    void shouldPurgeJobsOfBothLayoutsAfterTheRetention() {
        Engine engine = start(Duration.ofSeconds(1));
        KbId kb = KbId.of("purged");
        coordinators.register(engine, kb.value());
        JobService jobs = engine.services().jobs();
        long now = System.currentTimeMillis();
        String ticket = "89abcdef0123456789abcdef";
        String lease = kb.value() + "~" + ticket + "." + (now - 900) + ".a1b2c3d4e5f6";
        writeEarlierLayout(kb, ticket, lease, now, Instant.ofEpochMilli(now - 1000), now + 1000);
        Job job = await(jobs.submit(kb, "ann", new JobPayload.Note("kept a second", null, null), Optional.empty()));
        Assignment a = await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
        await(jobs.complete(job.id(), new JobOutcome.Done(a.lease().id(), COMMIT, List.of(), 0)));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String key : List.of("tickets", "jobs", "index", "ended", "recent")) {
                assertThat(size(kb, key)).as(key).isZero();
            }
        });
        assertThatThrownBy(() -> await(jobs.get(job.id()))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> await(jobs.get(kb.value() + "~" + ticket))).isInstanceOf(NotFoundException.class);
    }

    private Engine start(Duration retention) {
        coordinators = new Coordinators(redis);
        EngineConfig config = Coordinators.config("f1").withJobs(new EngineConfig.Jobs(3, retention));
        return coordinators.start(config);
    }

    /** A done note as the version before the compact record stored it. */
    private static void writeEarlierLayout(
            KbId kb, String ticket, String lease, long now, Instant created, long endedUntil) {
        String files = new JsonArray()
                .add(new JsonObject()
                        .put("path", "notes/a.md")
                        .put("change", "created")
                        .putNull("url"))
                .encode();
        JsonObject t = new JsonObject()
                .put("k", "job")
                .put("h", "ann")
                .put("c", now - 1000)
                .put("ttl", 30000)
                .put("th", 7)
                .put("s", "released")
                .put("f", now - 900)
                .put("a", 1)
                .put("ty", "note")
                .put("l", lease)
                .put("js", "done")
                .put("ff", now - 900)
                .put("st", now - 800)
                .put("fin", now - 500)
                .put("cm", COMMIT)
                .put("fl", files)
                .put("o", 1)
                .put("w", "w");
        JsonObject job = new JsonObject()
                .put("i", kb.value() + "~" + ticket)
                .put("p", new JsonObject().put("text", "written before"))
                .put("c", ChronoUnit.MICROS.between(Instant.EPOCH, created));
        String p = new KbKeys(kb).prefix();
        try (RespClient client = RespClient.connect(redis.port(), Duration.ofSeconds(5))) {
            client.call("HSET", p + "tickets", ticket, t.encode());
            client.call("HSET", p + "jobs", ticket, job.encode());
            client.call("ZADD", p + "ended", String.valueOf(endedUntil), ticket);
            client.call("ZADD", p + "index", String.valueOf(now - 1000), ticket);
            client.call("LPUSH", p + "recent", ticket);
        }
    }

    private static JobListQuery query(KbId kb) {
        return new JobListQuery(List.of(kb), Optional.empty(), Optional.empty(), 20, Optional.empty(), List.of());
    }

    private static String ticket(Job job) {
        return job.id().substring(job.id().indexOf('~') + 1);
    }

    private static Object stored(KbId kb, String key, String field) {
        return RespClient.once(redis.port(), Duration.ofSeconds(2), "HGET", new KbKeys(kb).prefix() + key, field);
    }

    private static long size(KbId kb, String key) {
        String name = new KbKeys(kb).prefix() + key;
        try (RespClient client = RespClient.connect(redis.port(), Duration.ofSeconds(5))) {
            String type = String.valueOf(client.call("TYPE", name));
            return switch (type) {
                case "hash" -> (Long) client.call("HLEN", name);
                case "zset" -> (Long) client.call("ZCARD", name);
                case "list" -> (Long) client.call("LLEN", name);
                default -> 0L;
            };
        }
    }
}
