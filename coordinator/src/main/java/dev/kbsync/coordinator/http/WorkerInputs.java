package dev.kbsync.coordinator.http;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The worker protocol's requests, read and checked from their path and body before the Redis gate ({@link Checked}):
 * a malformed one is a 4xx also while Redis is down, not a 503 that tells the worker to send it again.
 */
final class WorkerInputs {
    static final long DEFAULT_WAIT_MS = 20_000;
    static final long DEFAULT_BATCH = 16;

    private WorkerInputs() {}

    /** A long poll: when it arrived, the worker, how long it may wait ({@code waitFor}), and the presence it renews (if any). */
    record PollAsk(long arrived, String worker, Duration waitFor, Optional<WorkerPresence> presence) {}

    /** A job's outcome under its lease. */
    record Report(String jobId, JobOutcome outcome) {}

    /** A group commit's request for up to {@code max} more note jobs behind the head's lease. */
    record ExtendAsk(String leaseId, int max) {}

    /** A worker's presence report. */
    record Renewal(String worker, WorkerPresence presence) {}

    static PollAsk poll(RoutingContext ctx) {
        long arrived = System.nanoTime(); // a drain told after this ends the poll, even during its renewal
        String worker = WorkerRoutes.workerId(ctx);
        Fields body = Bodies.object(ctx, "waitMs", "presence");
        Duration wait = Inputs.waitMs(body, DEFAULT_WAIT_MS);
        Optional<WorkerPresence> presence =
                body.optObject("presence", PresenceInput.FIELDS).map(PresenceInput::read);
        return new PollAsk(arrived, worker, wait, presence);
    }

    static Renewal renewal(RoutingContext ctx) {
        String worker = WorkerRoutes.workerId(ctx);
        return new Renewal(worker, PresenceInput.read(Bodies.object(ctx, PresenceInput.FIELDS)));
    }

    static ExtendAsk extend(RoutingContext ctx) {
        String leaseId = LeaseRoutes.leaseId(ctx);
        long max = Bodies.object(ctx, "max").optLong("max").orElse(DEFAULT_BATCH);
        if (max < 0 || max > JobService.MAX_BATCH) {
            throw new InvalidInputException(
                    "INVALID_FIELD", "field \"max\" must be between 0 and " + JobService.MAX_BATCH);
        }
        return new ExtendAsk(leaseId, (int) max);
    }

    static Report report(RoutingContext ctx) {
        String jobId = JobRoutes.jobId(ctx);
        Fields body = Bodies.object(
                ctx, "leaseId", "state", "commit", "commitUrl", "files", "result", "error", "pushRejections");
        String leaseId = Inputs.id("INVALID_LEASE_ID", "leaseId", body.string("leaseId"));
        long pushRejections = body.optLong("pushRejections").orElse(0L);
        if (pushRejections < 0) { // checked before the cast: a large negative one would wrap to 0 or a positive int
            throw new InvalidInputException("INVALID_FIELD", "field \"pushRejections\" must be >= 0");
        }
        int rejections = (int) Math.min(Integer.MAX_VALUE, pushRejections);
        JobOutcome outcome = switch (body.string("state")) {
            case "done" ->
                new JobOutcome.Done(
                        leaseId,
                        body.optString("commit")
                                .map(commit -> Inputs.commit("commit", commit))
                                .orElse(null),
                        body.optString("commitUrl")
                                .map(url -> Inputs.link("commitUrl", url))
                                .orElse(null),
                        files(body),
                        rejections,
                        body.optString("result").map(WorkerInputs::result).orElse(null));
            case "failed" -> {
                if (body.optString("result").isPresent()) {
                    throw new InvalidInputException("INVALID_FIELD", "field \"result\" is for a done job only");
                }
                yield new JobOutcome.Failed(leaseId, error(body), rejections);
            }
            default ->
                throw new InvalidInputException(
                        "INVALID_STATE",
                        "state must be \"done\" or \"failed\", got " + Quoting.quote(body.string("state")));
        };
        return new Report(jobId, outcome);
    }

    /** An agent's answer: at most {@link JobOutcome#MAX_RESULT_CHARS} characters. */
    private static String result(String value) {
        if (value.length() > JobOutcome.MAX_RESULT_CHARS) {
            throw new InvalidInputException(
                    "RESULT_TOO_LONG",
                    "field \"result\" must be at most " + JobOutcome.MAX_RESULT_CHARS + " characters, got "
                            + value.length());
        }
        return value;
    }

    private static List<FileChange> files(Fields body) {
        JsonArray array = body.optArray("files").orElse(new JsonArray());
        List<FileChange> files = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Fields file = body.element(array, "files", i, "path", "change", "url");
            String urlField = "files[" + i + "].url";
            files.add(new FileChange(
                    Inputs.path(file.string("path")),
                    change(file.string("change")),
                    file.optString("url").map(url -> Inputs.link(urlField, url)).orElse(null)));
        }
        return files;
    }

    private static FileChange.Change change(String value) {
        try {
            return FileChange.Change.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "INVALID_FIELD", "change must be created, edited or deleted, got " + Quoting.quote(value));
        }
    }

    private static JobError error(Fields body) {
        Fields error = body.optObject("error", "code", "message")
                .orElseThrow(
                        () -> new InvalidInputException("MISSING_FIELD", "field \"error\" is required when failed"));
        return new JobError(Inputs.errorCode("error.code", error.string("code")), error.string("message"));
    }
}
