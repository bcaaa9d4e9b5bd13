package dev.kbsync.cli.doctor;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.process.WorkerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator as a worker reaches it (the worker's URL and token): {@code /readyz}, and the KBs it serves.
 */
final class CoordinatorCheck {
    static final String NAME = "coordinator ready";

    /** The check, and the KBs the coordinator listed (empty when it could not be asked). */
    record Result(Check check, Optional<List<KbConfig>> kbs) {}

    private CoordinatorCheck() {}

    static Result run(WorkerConfig worker, Duration timeout) {
        String url = worker.coordinatorUrl() + "/readyz";
        ClientOptions options =
                worker.clientOptions().withConnectTimeout(timeout).withRequestTimeout(timeout);
        try (KbsyncClient client = KbsyncClient.create(options)) {
            try {
                client.ready();
            } catch (KbsyncException e) {
                return new Result(Check.fail(NAME, url + ": " + e.getMessage()), Optional.empty());
            }
            try {
                List<KbConfig> kbs = client.kbs().kbs();
                return new Result(Check.pass(NAME, url + " answered 200; " + kbs.size() + " KB(s)"), Optional.of(kbs));
            } catch (KbsyncException e) {
                return new Result(
                        Check.warn(NAME, url + " answered 200, but listing the KBs failed: " + e.getMessage()),
                        Optional.empty());
            }
        }
    }
}
