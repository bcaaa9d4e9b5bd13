package dev.kbsync.cli;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbId;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Shared flow of {@code note} and {@code agent}: submit, follow the job's events, print the outcome. */
abstract class SubmitCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--kb", required = true, description = "The KB id, e.g. team.")
    String kb;

    @Option(names = "--user", required = true, description = "Who the change is for (commit author).")
    String user;

    @Option(names = "--idempotency-key", description = "Retrying with the same key returns the same job.")
    String idempotencyKey;

    @Option(names = "--no-wait", description = "Print the job id and return at once.")
    boolean noWait;

    abstract String endpoint();

    abstract JsonObject body();

    @Override
    public Integer call() {
        ApiClient api = client.client();
        try {
            KbId.of(kb);
        } catch (InvalidInputException e) {
            System.err.println("error: " + e.code() + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try {
            JsonObject job = api.post("/v1/kbs/" + kb + "/" + endpoint(), body(), Optional.ofNullable(idempotencyKey));
            if (noWait) {
                System.out.println(job.getString("id"));
                return ExitCodes.OK;
            }
            return follow(api, job);
        } catch (ApiException e) {
            System.err.println("error: " + e.code() + ": " + e.getMessage());
            return e.exitCode();
        }
    }

    private int follow(ApiClient api, JsonObject submitted) {
        Progress progress = new Progress(System.out, System.console() != null);
        AtomicReference<JsonObject> last = new AtomicReference<>(submitted);
        progress.show(submitted);
        api.follow("/v1/jobs/" + submitted.getString("id") + "/events", event -> {
            JsonObject job = event.data();
            last.set(job);
            if (terminal(job)) {
                return false;
            }
            progress.show(job);
            return true;
        });
        JsonObject job = terminal(last.get()) ? last.get() : api.get("/v1/jobs/" + submitted.getString("id"));
        return progress.finish(job);
    }

    private static boolean terminal(JsonObject job) {
        String state = job.getString("state");
        return "done".equals(state) || "failed".equals(state);
    }
}
