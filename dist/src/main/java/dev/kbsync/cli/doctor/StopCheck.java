package dev.kbsync.cli.doctor;

import dev.kbsync.worker.process.WorkerConfig;

/**
 * Whether the worker's stop fits its bound: a warning when a poll in flight does not fit the drain (three quarters of
 * {@code shutdown.grace}), so a stop whose drain does not reach the poll's coordinator, which then does not end the
 * poll, may end cut short (exit 124).
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
