package dev.kbsync.coordinator.http;

import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A lease request that waits for its grant (a long poll, {@code waitMs}): answered once the lease is no longer
 * waiting, or when the wait is over with the lease still waiting (its latest position). While the request is open the
 * waiter is kept alive, as an open event stream keeps it; a grant is heartbeaten before it is answered, so the holder
 * starts with its whole TTL. One HTTP exchange instead of a request, a stream and its events.
 *
 * <p>The watch and the event consumer are taken before the lease is read again: a grant between the request's step
 * and the watch is seen by that read, a later one by its event. The lease's id goes out only with the answer, so a
 * lease whose answer cannot be sent (the client went away, or the Redis gate answered 503 meanwhile) can never be used
 * or released by anyone: it is released at once, waiting or granted, rather than left to lapse.
 */
final class LeaseWait {
    private final RoutingContext ctx;
    private final LeaseService leases;
    private final String id;
    private final Consumer<Lease> answer;
    private final List<Runnable> cleanups = new ArrayList<>();
    private Lease latest;
    private boolean settled;

    private LeaseWait(RoutingContext ctx, LeaseService leases, Lease waiting, Consumer<Lease> answer) {
        this.ctx = ctx;
        this.leases = leases;
        this.id = waiting.id();
        this.latest = waiting;
        this.answer = answer;
    }

    /**
     * Answers {@code waiting} (through {@code answer}) once it is granted or ended, or after {@code wait} as it then
     * stands. Must run on the request's context.
     */
    static void await(
            RoutingContext ctx,
            LeaseService leases,
            Watchers watchers,
            Lease waiting,
            Duration wait,
            Consumer<Lease> answer) {
        LeaseWait pending = new LeaseWait(ctx, leases, waiting, answer);
        Vertx vertx = ctx.vertx();
        Watchers.Watch watch = watchers.lease(waiting.id());
        pending.cleanups.add(watch::close);
        MessageConsumer<KbsyncEvent> consumer = vertx.eventBus().consumer(QueueAddresses.lease(waiting.id()), msg -> {
            if (msg.body() instanceof LeaseEvent event) {
                pending.seen(event.lease());
            }
        });
        pending.cleanups.add(consumer::unregister);
        KeepAlive keepAlive = leases.keepAlive(waiting.id());
        pending.cleanups.add(keepAlive::close);
        long timer = vertx.setTimer(Math.max(1, wait.toMillis()), t -> pending.settle(pending.latest));
        pending.cleanups.add(() -> vertx.cancelTimer(timer));
        ctx.response().closeHandler(v -> pending.abandon());
        ctx.addEndHandler(v -> pending.abandon()); // answered 503 by the Redis gate while waiting
        leases.get(waiting.id()).onSuccess(pending::seen).onFailure(pending::fail);
    }

    private void seen(Lease lease) {
        if (settled) {
            return;
        }
        latest = lease;
        if (lease.state() != LeaseState.WAITING) {
            settle(lease);
        }
    }

    private void settle(Lease lease) {
        if (settled) {
            return;
        }
        cleanup();
        if (unanswerable()) {
            leases.release(id);
            return;
        }
        Future<Lease> answered =
                lease.state() == LeaseState.GRANTED ? leases.heartbeat(id) : Future.succeededFuture(lease);
        answered.onSuccess(l -> {
                    if (unanswerable()) {
                        leases.release(id);
                    } else {
                        answer.accept(l);
                    }
                })
                .onFailure(failure -> {
                    if (!unanswerable()) {
                        ctx.fail(failure);
                    }
                });
    }

    /** The client went away (or was answered 503 meanwhile) before its answer: nobody will ever know this lease. */
    private void abandon() {
        if (!settled) {
            cleanup();
            leases.release(id);
        }
    }

    /** Answered 503 by the Redis gate meanwhile, or the client left. */
    private boolean unanswerable() {
        return ctx.response().ended() || ctx.response().closed();
    }

    private void fail(Throwable failure) {
        if (!settled) {
            cleanup();
            ctx.fail(failure);
        }
    }

    private void cleanup() {
        if (!settled) {
            settled = true;
            cleanups.forEach(Runnable::run);
        }
    }
}
