package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.RecentJobs;
import io.vertx.core.Future;
import java.util.List;

/** Reads queues and what recently left them; every change of a watched KB is also published on the event bus (see {@link QueueAddresses}). */
public interface QueueService {
    Future<QueueSnapshot> snapshot(KbId kb);

    /** Every KB with a holder or waiters, plus every registered KB. */
    Future<List<QueueSnapshot>> all();

    /** The KB's recently finished jobs and failures, newest first; KB_NOT_FOUND for an unknown KB. */
    Future<RecentJobs> recent(KbId kb);

    /** Take a watch before consuming a queue event address: events are published only for watched KBs. */
    Watchers watchers();
}
