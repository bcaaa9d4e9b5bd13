package dev.kbsync.worker.run;

/**
 * The batch's pre-push check (its first unit's: the units share one lease), started once the last unit is applied
 * so that the check's round trip overlaps that unit's commit. A check started for a batch that then has nothing
 * to push is left unawaited.
 */
final class PrePush {
    private final WorkUnit first;
    private PrePushCheck started;

    PrePush(WorkUnit first) {
        this.first = first;
    }

    void start() {
        if (started == null) {
            started = first.startCheckBeforePush();
        }
    }

    void await() {
        start();
        started.await();
    }
}
