package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * A job as clients see it (HTTP contract v1). {@code ahead} is how many operations run before this one (0 while it
 * runs); while queued, {@code etaMs} is the expected wait until it runs and {@code etaP90Ms} the wait it stays under nine
 * times out of ten, both counted from the last change of its place in the queue (0 when it waits for nothing);
 * {@code attempts} counts dispatches to workers. {@code fencingToken} is the token of the job's latest grant,
 * {@code firstFencingToken} that of its first: every commit the job can have made carries a token at least that large
 * (a search for the job's commit may stop at the first older one). {@code commitUrl} links to the commit where the
 * KB's remote is on GitHub or GitLab (else null). {@code result} is an agent job's answer (its output, capped, secrets
 * masked), next to the files it changed; null for notes and jobs without one. Times are null until they happen.
 * {@code retryOf} is the id of the failed or cancelled job this one submits again ({@code POST /v1/jobs/{id}/retry}),
 * null for a job submitted otherwise; {@code retryChain} is the chain of jobs a retry submits again, {@code retryOf} first,
 * then the job that one retried, and so on back to the first submit (at most {@link #MAX_RETRY_CHAIN}, the nearest
 * kept): any of them may have landed although it reads failed, so a retry's worker looks for the commit of each (empty
 * for a job submitted otherwise; a record stored before the field existed reads as its {@code retryOf} alone).
 * {@code restoredFrom} names the jobs a degraded coordinator accepted during a Redis outage (its {@code 202}s' ids) that
 * carried this job's request (its idempotency key) and were restored onto it once Redis answered again, after a worker
 * of that coordinator had them: each of those ids answers this job, and any of them may have landed, so this job's
 * worker looks for the commit of each too (empty for every other job).
 * {@code doing} is what the worker running the job said it is doing at its last
 * heartbeat ("writing the note", "waiting for &lt;remote&gt; to answer: ..."; {@link Activity}): only while the job is
 * running and its worker said something; null (absent from the JSON) otherwise.
 */
public record Job(
        String id,
        KbId kb,
        String user,
        JobPayload payload,
        JobState state,
        long ahead,
        long etaMs,
        long etaP90Ms,
        Long fencingToken,
        Long firstFencingToken,
        String commit,
        String commitUrl,
        List<FileChange> files,
        String result,
        JobError error,
        int attempts,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String retryOf,
        String doing,
        List<String> retryChain,
        List<String> restoredFrom) {

    /** How many earlier jobs a retry's chain keeps (the nearest): a retry of a retry, and so on, 32 times over. */
    public static final int MAX_RETRY_CHAIN = 32;

    public Job {
        files = files == null ? List.of() : List.copyOf(files);
        if (retryChain == null || retryChain.isEmpty()) {
            retryChain = retryOf == null ? List.of() : List.of(retryOf);
        } else {
            retryChain = List.copyOf(retryChain.subList(0, Math.min(retryChain.size(), MAX_RETRY_CHAIN)));
            retryOf = retryOf == null ? retryChain.get(0) : retryOf;
        }
        restoredFrom = restoredFrom == null ? List.of() : List.copyOf(restoredFrom);
    }

    /** A job no journal job was restored onto ({@code restoredFrom} empty). */
    public Job(
            String id,
            KbId kb,
            String user,
            JobPayload payload,
            JobState state,
            long ahead,
            long etaMs,
            long etaP90Ms,
            Long fencingToken,
            Long firstFencingToken,
            String commit,
            String commitUrl,
            List<FileChange> files,
            String result,
            JobError error,
            int attempts,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            String retryOf,
            String doing,
            List<String> retryChain) {
        this(
                id,
                kb,
                user,
                payload,
                state,
                ahead,
                etaMs,
                etaP90Ms,
                fencingToken,
                firstFencingToken,
                commit,
                commitUrl,
                files,
                result,
                error,
                attempts,
                createdAt,
                startedAt,
                finishedAt,
                retryOf,
                doing,
                retryChain,
                List.of());
    }

    /** A job submitted otherwise than as a retry ({@code retryOf} null). */
    public Job(
            String id,
            KbId kb,
            String user,
            JobPayload payload,
            JobState state,
            long ahead,
            long etaMs,
            long etaP90Ms,
            Long fencingToken,
            Long firstFencingToken,
            String commit,
            String commitUrl,
            List<FileChange> files,
            String result,
            JobError error,
            int attempts,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt) {
        this(
                id,
                kb,
                user,
                payload,
                state,
                ahead,
                etaMs,
                etaP90Ms,
                fencingToken,
                firstFencingToken,
                commit,
                commitUrl,
                files,
                result,
                error,
                attempts,
                createdAt,
                startedAt,
                finishedAt,
                null,
                null,
                null);
    }

    /** A job just accepted: queued, nothing ahead known yet, no grant, no result. */
    public static Job queued(String id, KbId kb, String user, JobPayload payload, Instant createdAt) {
        return new Job(
                id,
                kb,
                user,
                payload,
                JobState.QUEUED,
                0,
                0,
                0,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                null,
                0,
                createdAt,
                null,
                null);
    }

    public JobKind kind() {
        return payload.kind();
    }

    /** The same job in another state at another place in the queue (what its worker is doing only while running). */
    public Job at(JobState newState, long newAhead, long newEtaMs, long newEtaP90Ms) {
        return new Job(
                id,
                kb,
                user,
                payload,
                newState,
                newAhead,
                newEtaMs,
                newEtaP90Ms,
                fencingToken,
                firstFencingToken,
                commit,
                commitUrl,
                files,
                result,
                error,
                attempts,
                createdAt,
                startedAt,
                finishedAt,
                retryOf,
                newState == JobState.RUNNING ? doing : null,
                retryChain,
                restoredFrom);
    }

    /** The same running job, its worker now saying it is doing {@code now} (see {@link Activity}). */
    public Job withDoing(String now) {
        return new Job(
                id,
                kb,
                user,
                payload,
                state,
                ahead,
                etaMs,
                etaP90Ms,
                fencingToken,
                firstFencingToken,
                commit,
                commitUrl,
                files,
                result,
                error,
                attempts,
                createdAt,
                startedAt,
                finishedAt,
                retryOf,
                now,
                retryChain,
                restoredFrom);
    }

    /** The same job as the retry of the job {@code retried} (null: of none), a chain of that job alone. */
    public Job retrying(String retried) {
        return retrying(retried == null ? List.of() : List.of(retried));
    }

    /**
     * The same job as the retry of the first job of {@code chain} (see {@code retryChain}; empty: of none), which
     * retried the second, and so on.
     */
    public Job retrying(List<String> chain) {
        return new Job(
                id,
                kb,
                user,
                payload,
                state,
                ahead,
                etaMs,
                etaP90Ms,
                fencingToken,
                firstFencingToken,
                commit,
                commitUrl,
                files,
                result,
                error,
                attempts,
                createdAt,
                startedAt,
                finishedAt,
                chain.isEmpty() ? null : chain.get(0),
                doing,
                chain,
                restoredFrom);
    }

    public JsonObject toJson() {
        JsonArray fileArray = new JsonArray();
        files.forEach(f -> fileArray.add(f.toJson()));
        JsonObject json = new JsonObject()
                .put("id", id)
                .put("kb", kb.value())
                .put("kind", kind().wire())
                .put("user", user)
                .put("payload", payload.toJson())
                .put("state", state.wire())
                .put("ahead", ahead)
                .put("etaMs", etaMs)
                .put("etaP90Ms", etaP90Ms)
                .put("fencingToken", fencingToken)
                .put("firstFencingToken", firstFencingToken)
                .put("commit", commit)
                .put("commitUrl", commitUrl)
                .put("files", fileArray)
                .put("result", result)
                .put("error", error == null ? null : error.toJson())
                .put("attempts", attempts)
                .put("createdAt", Json.text(createdAt))
                .put("startedAt", Json.text(startedAt))
                .put("finishedAt", Json.text(finishedAt))
                .put("retryOf", retryOf);
        if (!retryChain.isEmpty()) {
            json.put("retryChain", new JsonArray(retryChain));
        }
        if (!restoredFrom.isEmpty()) {
            json.put("restoredFrom", new JsonArray(restoredFrom));
        }
        return doing == null ? json : json.put("doing", doing);
    }

    public static Job fromJson(JsonObject json) {
        JobKind kind = JobKind.fromWire(json.getString("kind"));
        return new Job(
                json.getString("id"),
                KbId.of(json.getString("kb")),
                json.getString("user"),
                JobPayload.fromJson(kind, json.getJsonObject("payload", new JsonObject())),
                JobState.fromWire(json.getString("state")),
                json.getLong("ahead", 0L),
                json.getLong("etaMs", 0L),
                json.getLong("etaP90Ms", json.getLong("etaMs", 0L)),
                json.getLong("fencingToken"),
                json.getLong("firstFencingToken"),
                json.getString("commit"),
                json.getString("commitUrl"),
                Json.list(json.getJsonArray("files"), FileChange::fromJson),
                json.getString("result"),
                JobError.fromJson(json.getJsonObject("error")),
                json.getInteger("attempts", 0),
                Json.instant(json.getString("createdAt")),
                Json.instant(json.getString("startedAt")),
                Json.instant(json.getString("finishedAt")),
                json.getString("retryOf"),
                json.getString("doing"),
                strings(json.getJsonArray("retryChain")),
                strings(json.getJsonArray("restoredFrom")));
    }

    /** A JSON array of strings (null: none). */
    private static List<String> strings(JsonArray array) {
        return array == null ? List.of() : array.stream().map(String::valueOf).toList();
    }
}
