package dev.kbsync.coordinator.engine.worker;

import dev.kbsync.coordinator.service.WorkerRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether no known worker runs agents ({@link WorkerRegistry#noAgentWorker}), as this coordinator read the workers'
 * records lately: read only while the sweep finds an agent task granted and not taken ({@link #wanted()}), at most once
 * per {@link #REFRESH_NANOS}, and answered without waiting. An answer older than {@link #FRESH_NANOS} is no answer: the
 * sweep fails such a task only on a recent read, so a worker that runs agents, once its presence is stored, saves the
 * tasks of every sweep after the next read.
 */
public final class AgentFleet {
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(3);
    private final WorkerRegistry workers;
    private final LongSupplier nanoClock;
    private boolean reading;
    private boolean read;
    private long readAt;
    private boolean none;

    public AgentFleet(WorkerRegistry workers) {
        this(workers, System::nanoTime);
    }

    AgentFleet(WorkerRegistry workers, LongSupplier nanoClock) {
        this.workers = workers;
        this.nanoClock = nanoClock;
    }

    /** True when a recent read found workers known and none of them running agents. */
    public synchronized boolean noAgentWorker() {
        return read && none && nanoClock.getAsLong() - readAt <= FRESH_NANOS;
    }

    /** An agent task waits for a worker: reads the workers' records, unless a read is recent or under way. */
    public void wanted() {
        long started = nanoClock.getAsLong();
        synchronized (this) {
            if (reading || (read && started - readAt < REFRESH_NANOS)) {
                return;
            }
            reading = true;
        }
        workers.noAgentWorker().onComplete(result -> {
            synchronized (this) {
                reading = false;
                if (result.succeeded()) {
                    none = result.result();
                    read = true;
                    readAt = started;
                }
            }
        });
    }
}
