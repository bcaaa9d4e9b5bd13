package dev.kbsync.coordinator.engine.worker;

import dev.kbsync.coordinator.service.WorkerRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether no known worker runs agents ({@link WorkerRegistry#noAgentWorker}), as this coordinator read the workers'
 * records lately: read only while the sweep finds an agent task granted and not taken ({@link #wanted()}), at most once
 * per {@link #REFRESH_NANOS}, and answered without waiting. An answer older than its freshness (one and a half sweep
 * intervals, at least {@link #FRESH_NANOS}: the sweep asks before it reads, so a pass acts on the read of the pass
 * before, never an older one) is no answer: the sweep fails such a task only on a
 * recent read, so a worker that runs agents, once its presence is stored, saves the tasks of every sweep after the next
 * read. A fleet is taken to have no agent worker only once its reads found so for a whole {@code grace} (the workers'
 * TTL: a worker reports within it), each read within the freshness of the one before: a fleet that is starting, its
 * worker without an agent up a moment before the one with an agent, strands nothing, and neither do two reads with a
 * quiet hour between them (a worker may have come and gone). A worker that runs agents stored since a read (through any
 * coordinator: {@link #joined}) makes that read no answer at once, not once it grows old.
 */
public final class AgentFleet {
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(3);
    private final WorkerRegistry workers;
    private final LongSupplier nanoClock;
    private final long graceNanos;
    private final long freshNanos;
    private boolean reading;
    private boolean read;
    private long readAt;
    private boolean none;
    /** When the reads began to find no agent worker, without a read in between that found one (or failed). */
    private long noneSince;
    /** How many times a worker that runs agents joined: a read under way when one did may not have seen it. */
    private long joins;

    /** {@code sweepInterval}: how often the sweep that asks runs (its reads are that far apart). */
    public AgentFleet(WorkerRegistry workers, Duration grace, Duration sweepInterval) {
        this(workers, grace, sweepInterval, System::nanoTime);
    }

    AgentFleet(WorkerRegistry workers, Duration grace, Duration sweepInterval, LongSupplier nanoClock) {
        this.workers = workers;
        this.graceNanos = grace.toNanos();
        this.freshNanos = Math.max(FRESH_NANOS, sweepInterval.toNanos() * 3 / 2);
        this.nanoClock = nanoClock;
    }

    /**
     * True when a recent read found workers known and none of them running agents, as every read did for the grace
     * before it.
     */
    public synchronized boolean noAgentWorker() {
        long now = nanoClock.getAsLong();
        return read && none && now - readAt <= freshNanos && readAt - noneSince >= graceNanos;
    }

    /**
     * A worker that runs agents was stored, one that did not run agents before (or was not known): the reads before,
     * and one under way, count as having found an agent worker; the next read that finds none starts the grace again.
     */
    public synchronized void joined() {
        none = false;
        joins++;
    }

    /** An agent task waits for a worker: reads the workers' records, unless a read is recent or under way. */
    public void wanted() {
        long started = nanoClock.getAsLong();
        long joinsBefore;
        synchronized (this) {
            if (reading || (read && started - readAt < REFRESH_NANOS)) {
                return;
            }
            reading = true;
            joinsBefore = joins;
        }
        workers.noAgentWorker().onComplete(result -> {
            synchronized (this) {
                reading = false;
                boolean was = read && none && started - readAt <= freshNanos;
                if (result.succeeded()) {
                    none = result.result() && joins == joinsBefore;
                    read = true;
                    readAt = started;
                    if (none && !was) {
                        noneSince = started;
                    }
                } else {
                    none = false; // not known: the grace starts again with the next read that finds none
                }
            }
        });
    }
}
