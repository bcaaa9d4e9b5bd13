package dev.kbsync.cli.doctor;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.process.WorkerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The coordinators as a worker reaches them (the worker's URLs and token): {@code /readyz} of each, and the KBs the
 * first ready one serves. Some of several not ready is a warning (the worker uses the others), none ready a failure.
 */
final class CoordinatorCheck {
    static final String NAME = "coordinator ready";

    /** The check, and the KBs the coordinator listed (empty when it could not be asked). */
    record Result(Check check, Optional<List<KbConfig>> kbs) {}

    private CoordinatorCheck() {}

    static Result run(WorkerConfig worker, Duration timeout) {
        List<String> down = new ArrayList<>();
        Result first = null;
        for (URI coordinator : worker.coordinatorUrls()) {
            Result one = runOne(worker, coordinator, timeout);
            if (one.check().status() == Check.Status.FAIL) {
                down.add(one.check().detail());
            } else if (first == null) {
                first = one;
            }
        }
        if (first == null) {
            return new Result(Check.fail(NAME, String.join("; ", down)), Optional.empty());
        }
        if (down.isEmpty()) {
            return first;
        }
        return new Result(
                Check.warn(
                        NAME,
                        first.check().detail() + "; not ready (the worker uses the others): "
                                + String.join("; ", down)),
                first.kbs());
    }

    private static Result runOne(WorkerConfig worker, URI coordinator, Duration timeout) {
        String url = coordinator + "/readyz";
        ClientOptions all = worker.clientOptions();
        ClientOptions options = new ClientOptions(
                List.of(coordinator),
                all.token(),
                timeout,
                timeout,
                all.maxConnections(),
                all.maxStreams(),
                all.caFile(),
                all.probeInterval(),
                all.streamIdleTimeout());
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
