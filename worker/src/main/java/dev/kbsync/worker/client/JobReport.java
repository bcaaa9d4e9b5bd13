package dev.kbsync.worker.client;

import dev.kbsync.kb.FileChange;
import dev.kbsync.kb.JobError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What a worker reports for a job: done with a commit and files, or failed with an error. */
public sealed interface JobReport {
    String jobId();

    String leaseId();

    int pushRejections();

    JsonObject toJson();

    record Done(String jobId, String leaseId, String commit, List<FileChange> files, int pushRejections)
            implements JobReport {
        public Done {
            files = List.copyOf(files);
        }

        @Override
        public JsonObject toJson() {
            JsonArray array = new JsonArray();
            files.forEach(f -> array.add(f.toJson()));
            return new JsonObject()
                    .put("leaseId", leaseId)
                    .put("state", "done")
                    .put("commit", commit)
                    .put("files", array)
                    .put("pushRejections", pushRejections);
        }
    }

    record Failed(String jobId, String leaseId, JobError error, int pushRejections) implements JobReport {
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
