package dev.kbsync.coordinator.metrics;

import dev.kbsync.api.KbId;

/** Where the engine reports what happens per KB; implementations must be cheap and thread-safe. */
public interface MetricsSink {
    void granted(KbId kb, long waitedMs);

    void released(KbId kb, long heldMs);

    void expired(KbId kb);

    void queueLength(KbId kb, int length);

    void pushRejections(KbId kb, int count);

    /** Redis confirmed a write that creates a job or a grant on fewer replicas than required (answered 503). */
    default void replicationShortfall(KbId kb) {}

    /**
     * A submission went on without counting in a user's or token's rate window, whose Redis Cluster shard did not
     * answer.
     */
    default void rateWindowSkipped() {}

    /** A webhook delivery attempt ended: {@code result} is delivered, failed (retried later) or dropped (gave up). */
    default void webhook(KbId kb, String result) {}

    /** {@code kb} was removed: its meters are no longer reported. */
    default void forget(KbId kb) {}

    MetricsSink NONE = new MetricsSink() {
        @Override
        public void granted(KbId kb, long waitedMs) {}

        @Override
        public void released(KbId kb, long heldMs) {}

        @Override
        public void expired(KbId kb) {}

        @Override
        public void queueLength(KbId kb, int length) {}

        @Override
        public void pushRejections(KbId kb, int count) {}
    };
}
