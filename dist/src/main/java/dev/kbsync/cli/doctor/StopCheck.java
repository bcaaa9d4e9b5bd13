package dev.kbsync.cli.doctor;

import dev.kbsync.worker.process.WorkerConfig;

/**
 * Whether the worker's stop fits its bound: a warning when a poll in flight, which a stop waits for, does not fit the
 * drain (three quarters of {@code shutdown.grace}), so every stop of an idle worker may end cut short (exit 124).
 */
final class StopCheck {
    private static final String NAME = "worker stop";

    private StopCheck() {}

    static Check run(WorkerConfig worker) {
        return worker.stopWarning()
                .map(warning -> Check.warn(NAME, warning))
                .orElseGet(() -> Check.pass(NAME, worker.stopBound()));
    }
}
