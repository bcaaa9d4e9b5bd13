package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a worker reports for a job it ran under {@code leaseId} (the body of {@code POST /v1/jobs/{id}/result});
 * {@code pushRejections} feeds the metrics.
 */
public sealed interface JobOutcome {
    /** Longest {@code result} a report may carry, in characters (the report must fit the coordinator's body limit). */
    int MAX_RESULT_CHARS = 16_384;

    String leaseId();

    int pushRejections();

    JsonObject toJson();

    /**
     * Landed in {@code commit} (null: nothing to commit); {@code commitUrl} links to it on GitHub/GitLab, or null;
     * {@code result}: an agent's answer (its output, at most {@link #MAX_RESULT_CHARS}), or null.
     */
    record Done(
            String leaseId, String commit, String commitUrl, List<FileChange> files, int pushRejections, String result)
            implements JobOutcome {
        public Done {
            files = List.copyOf(files);
        }

        /** Without an answer. */
        public Done(String leaseId, String commit, String commitUrl, List<FileChange> files, int pushRejections) {
            this(leaseId, commit, commitUrl, files, pushRejections, null);
        }

        /** Without a commit link or an answer. */
        public Done(String leaseId, String commit, List<FileChange> files, int pushRejections) {
            this(leaseId, commit, null, files, pushRejections, null);
        }

        @Override
        public JsonObject toJson() {
            JsonArray array = new JsonArray();
            files.forEach(f -> array.add(f.toJson()));
            return new JsonObject()
                    .put("leaseId", leaseId)
                    .put("state", "done")
                    .put("commit", commit)
                    .put("commitUrl", commitUrl)
                    .put("files", array)
                    .put("result", result)
                    .put("pushRejections", pushRejections);
        }
    }

    record Failed(String leaseId, JobError error, int pushRejections) implements JobOutcome {
        @Override
        public JsonObject toJson() {
            return new JsonObject()
                    .put("leaseId", leaseId)
                    .put("state", "failed")
                    .put("error", error.toJson())
                    .put("pushRejections", pushRejections);
        }
    }
}
