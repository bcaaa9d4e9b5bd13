package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbId;

/**
 * Event-bus addresses, local to each coordinator (fanned in from Redis pub/sub). Messages are JSON objects:
 * KB address: a {@link QueueSnapshot}; job address: {@code {"type":"position"|"state", "job": Job}};
 * lease address: {@code {"type":"position"|"state", "lease": Lease}}; {@link #ALL}: every KB snapshot.
 */
public final class QueueAddresses {
    public static final String ALL = "kbsync.queues";

    private QueueAddresses() {}

    public static String kb(KbId kb) {
        return "kbsync.queue." + kb.value();
    }

    public static String job(String jobId) {
        return "kbsync.job." + jobId;
    }

    public static String lease(String leaseId) {
        return "kbsync.lease." + leaseId;
    }
}
