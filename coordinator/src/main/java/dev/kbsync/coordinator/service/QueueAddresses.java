package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbId;

/**
 * Event-bus addresses, local to each coordinator (fanned in from Redis pub/sub). Messages are
 * {@link dev.kbsync.api.event.KbsyncEvent} records (see {@link LocalEventCodec}): KB address and {@link #ALL}: a
 * {@link dev.kbsync.api.event.SnapshotEvent}, or a {@link dev.kbsync.api.event.KbRemovedEvent} when the KB is removed;
 * job address: a {@link dev.kbsync.api.event.JobEvent}; lease address: a
 * {@link dev.kbsync.api.event.LeaseEvent}; {@link #JOBS}: every job event of every job address, for streams of many jobs;
 * {@link #ended}: the final event of every job and raw lease of a KB (its branch may have moved).
 */
public final class QueueAddresses {
    public static final String ALL = "kbsync.queues";

    /** Every {@link dev.kbsync.api.event.JobEvent} sent to a job address, again (multiplexed job streams). */
    public static final String JOBS = "kbsync.jobs";

    private QueueAddresses() {}

    public static String kb(KbId kb) {
        return "kbsync.queue." + kb.value();
    }

    /** The final {@code JobEvent} or {@code LeaseEvent} of each of {@code kb}'s tickets, again. */
    public static String ended(KbId kb) {
        return "kbsync.ended." + kb.value();
    }

    public static String job(String jobId) {
        return "kbsync.job." + jobId;
    }

    public static String lease(String leaseId) {
        return "kbsync.lease." + leaseId;
    }
}
