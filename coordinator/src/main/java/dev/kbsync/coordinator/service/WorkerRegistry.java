package dev.kbsync.coordinator.service;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import io.vertx.core.Future;
import java.util.List;

/**
 * Worker presence, shared by every coordinator: each worker renews its record (on a timer and with every poll); one
 * not renewed for a lease TTL shows as gone, and is forgotten after {@link #FORGET_AFTER_TTLS} TTLs. The records are
 * bounded ({@link #MAX_WORKERS}: the least recently seen give way).
 */
public interface WorkerRegistry {
    /** How many lease TTLs a silent worker stays listed (as gone) before its record is deleted. */
    int FORGET_AFTER_TTLS = 10;

    /** Most workers kept; a new one beyond it evicts the one seen longest ago. */
    int MAX_WORKERS = 1024;

    /** Stores the worker's presence and marks it seen now (one Redis round trip); the stored record. */
    Future<Worker> renew(String workerId, WorkerPresence presence);

    /** Every worker not yet forgotten: up ones first, then gone ones, each by id. */
    Future<List<Worker>> list();

    /**
     * Whether no worker that runs agents may come for an agent task: workers are known (up, or gone but not forgotten)
     * and none of them runs agents. With no worker known at all, one may still come.
     */
    default Future<Boolean> noAgentWorker() {
        return list().map(WorkerRegistry::noneRunsAgents);
    }

    /** {@link #noAgentWorker()} of the {@code known} workers. */
    static boolean noneRunsAgents(List<Worker> known) {
        return !known.isEmpty()
                && known.stream().noneMatch(w -> w.presence().kinds().contains(JobKind.AGENT));
    }
}
