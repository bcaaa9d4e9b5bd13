package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.engine.driver.Drivers;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancelled;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Enqueued;
import dev.kbsync.coordinator.engine.ticket.Outcomes.GrantResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Idle;
import dev.kbsync.coordinator.engine.ticket.Outcomes.LockBusy;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A KB's queue changed here: tell the other coordinators (pub/sub), refresh this coordinator's streams at once (not
 * on the pub/sub echo), hand a grant made by the change to {@code dispatch} (the job dispatcher), and run the KB's driver only where the
 * change could not grant by itself (the RFairLock was busy).
 */
public final class Changes {
    private final Events events;
    private final Fanout fanout;
    private final Drivers drivers;
    private final BiConsumer<KbId, Granted> dispatch;
    private final Context context;
    private final Consumer<KbId> touched;

    /** {@code touched}: told of every KB whose queue changed here (the sweep looks at it again). */
    public Changes(
            Events events,
            Fanout fanout,
            Drivers drivers,
            BiConsumer<KbId, Granted> dispatch,
            Context context,
            Consumer<KbId> touched) {
        this.events = events;
        this.touched = touched;
        this.fanout = fanout;
        this.drivers = drivers;
        this.dispatch = dispatch;
        this.context = context;
    }

    /**
     * A sweep here found {@code kb} granted under {@code fence} (0: not granted): streams here that were told of another
     * grant are refreshed (pub/sub delivers at most once: an announcement of the change may never have arrived).
     */
    public void swept(KbId kb, long fence) {
        if (fanout.relevant(kb)) {
            context.runOnContext(v -> fanout.swept(kb, fence));
        }
    }

    /** Announces the change and runs the KB's driver; completes when that round is over. */
    public Future<Void> changed(KbId kb) {
        announce(kb);
        return drivers.pump(kb);
    }

    /**
     * A step here ended the job ({@code job}) or raw lease {@code id} of {@code kb} without its final state at hand (a
     * sweep found it overdue): its final event is read from Redis, here and on the other coordinators.
     */
    public void ended(KbId kb, boolean job, String id) {
        events.ended(job, id);
        onEnded(kb, job, id);
    }

    /** {@link #ended(KbId, boolean, String)} heard from another coordinator. */
    public void onEnded(KbId kb, boolean job, String id) {
        if (fanout.relevant(kb)) {
            context.runOnContext(v -> {
                if (job) {
                    fanout.jobEnded(id);
                } else {
                    fanout.leaseEnded(id);
                }
            });
        }
    }

    /** A heartbeat here changed what a grant's worker says it is doing: the jobs' streams, here and elsewhere. */
    public void doing(DoingChanged change) {
        events.doing(change);
        onDoing(change);
    }

    /** {@link #doing} heard from another coordinator. */
    public void onDoing(DoingChanged change) {
        if (fanout.relevant(change.kb())) {
            context.runOnContext(v -> fanout.doing(change));
        }
    }

    /** Tells the other coordinators and refreshes the local streams of {@code kb}. */
    public void announce(KbId kb) {
        touched.accept(kb);
        events.queueChanged(kb);
        if (fanout.relevant(kb)) {
            context.runOnContext(v -> fanout.refresh(kb));
        }
    }

    /** A step here granted {@code grant}: dispatch it (a job) and announce it. */
    public void granted(KbId kb, Granted grant) {
        dispatch.accept(kb, grant);
        if (fanout.relevant(kb)) {
            context.runOnContext(v -> fanout.granted(kb, grant));
        }
        announce(kb);
    }

    /**
     * A lease ended here (a raw lease released, expired or cancelled; a job's grant released or expired): its final
     * event, straight from the step, here and on the other coordinators.
     */
    public void ended(KbId kb, Lease lease) {
        events.ended(false, lease.id());
        if (fanout.relevant(kb)) {
            context.runOnContext(v -> fanout.ended(kb, lease));
        }
    }

    /** A job finished here: its final event, straight from the step, here and on the other coordinators. */
    public void ended(Job job) {
        events.ended(true, job.id());
        if (fanout.relevant(job.kb())) {
            context.runOnContext(v -> fanout.ended(job));
        }
    }

    /** After a ticket joined: dispatch a grant it got at once; a head left waiting on a busy lock needs the driver. */
    public Future<Void> enqueued(KbId kb, Enqueued enqueued) {
        return enqueued.rank() == 0 && !enqueued.granted() ? changed(kb) : settled(kb, enqueued.next());
    }

    /**
     * After a release step: the final event of the grant it ended (a raw lease's or a job's), then dispatch the next
     * grant it made, or run the driver if the RFairLock was busy.
     */
    public Future<Void> released(KbId kb, ReleaseResult result) {
        GrantResult next = new Idle();
        if (result instanceof Ended ended) {
            ended(kb, ended.lease(kb));
            next = ended.next();
        } else if (result instanceof Cancelled cancelled) {
            next = cancelled.next();
        }
        return settled(kb, next);
    }

    private Future<Void> settled(KbId kb, GrantResult next) {
        if (next instanceof LockBusy) {
            return changed(kb);
        }
        if (next instanceof Granted grant) {
            granted(kb, grant);
        } else {
            announce(kb);
        }
        return Future.succeededFuture();
    }
}
