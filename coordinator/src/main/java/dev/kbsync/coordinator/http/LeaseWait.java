package dev.kbsync.coordinator.http;

import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Orphans;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
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
 * lease whose answer cannot be sent (the client went away, or the Redis gate answered 503 meanwhile) or is an error
 * (its read or its grant's heartbeat failed) can never be used or released by anyone: it is released at once, waiting
 * or granted, rather than left to lapse ({@link Orphans}: again while Redis does not take it).
 *
 * <p>The request is an HTTP exchange ({@link #of(RoutingContext, Consumer)}) or a frame of a lease channel ({@link LeaseChannel}).
 */
final class LeaseWait {
    /** Who waits for the answer. All calls come on the request's context (the one {@link #await} ran on). */
    interface Requester {
        Vertx vertx();

        /** Whether the answer can no longer be delivered (the client left, or was answered otherwise meanwhile). */
        boolean gone();

        /** Runs {@code then} once the requester is gone. */
        void onGone(Runnable then);

        void answer(Lease lease);

        void fail(Throwable failure);

        /** The lease moved in the queue while it waits (its new {@code ahead}); ignored unless wanted. */
        default void position(Lease lease) {}
    }

    /** An HTTP request as the requester; {@code answer} writes its answer. */
    static Requester of(RoutingContext ctx, Consumer<Lease> answer) {
        return new Requester() {
            @Override
            public Vertx vertx() {
                return ctx.vertx();
            }

            @Override
            public boolean gone() { // answered 503 by the Redis gate meanwhile, or the client left
                return ctx.response().ended() || ctx.response().closed();
            }

            @Override
            public void onGone(Runnable then) {
                ctx.response().closeHandler(v -> then.run());
                ctx.addEndHandler(v -> then.run()); // answered 503 by the Redis gate while waiting
            }

            @Override
            public void answer(Lease lease) {
                answer.accept(lease);
            }

            @Override
            public void fail(Throwable failure) {
                ctx.fail(failure);
            }
        };
    }

    private final Requester requester;
    private final Context context;
    private final LeaseService leases;
    private final Orphans orphans;
    private final String id;
    private final List<Runnable> cleanups = new ArrayList<>();
    private Lease latest;
    private boolean settled;

    private LeaseWait(Requester requester, LeaseService leases, Orphans orphans, Lease waiting) {
        this.requester = requester;
        this.orphans = orphans;
        this.context = requester.vertx().getOrCreateContext();
        this.leases = leases;
        this.id = waiting.id();
        this.latest = waiting;
    }

    /**
     * Answers {@code waiting} to {@code requester} once it is granted or ended, or after {@code wait} as it then stands. Must
     * run on the request's context.
     */
    static void await(
            Requester requester,
            LeaseService leases,
            Orphans orphans,
            Watchers watchers,
            Lease waiting,
            Duration wait) {
        if (requester.gone()) { // left (or answered 503) while the request was under way: its handlers would not run
            orphans.release(waiting.id());
            return;
        }
        LeaseWait pending = new LeaseWait(requester, leases, orphans, waiting);
        Vertx vertx = requester.vertx();
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
        requester.onGone(pending::abandon);
        pending.here(
                leases.get(waiting.id()),
                lease -> {
                    watch.told(List.of(new LeaseEvent.State(lease))); // the fan-out's baseline, as for a stream
                    pending.seen(lease);
                },
                pending::fail);
    }

    /**
     * Runs {@code then} or {@code otherwise} with {@code future}'s outcome on the request's context (the engine completes
     * its futures on its own): the wait's state and its requester are only touched there.
     */
    private <T> void here(Future<T> future, Handler<T> then, Handler<Throwable> otherwise) {
        future.onComplete(done -> {
            if (Vertx.currentContext() == context) {
                settleWith(done, then, otherwise);
            } else {
                context.runOnContext(v -> settleWith(done, then, otherwise));
            }
        });
    }

    private static <T> void settleWith(AsyncResult<T> done, Handler<T> then, Handler<Throwable> otherwise) {
        if (done.succeeded()) {
            then.handle(done.result());
        } else {
            otherwise.handle(done.cause());
        }
    }

    private void seen(Lease lease) {
        if (settled
                || (lease.state() == LeaseState.WAITING
                        && Progress.older(
                                latest.state().wire(),
                                latest.ahead(),
                                lease.state().wire(),
                                lease.ahead()))) {
            return; // read before the move last seen
        }
        boolean moved = lease.ahead() != latest.ahead();
        latest = lease;
        if (lease.state() != LeaseState.WAITING) {
            settle(lease);
        } else if (moved) {
            requester.position(lease);
        }
    }

    private void settle(Lease lease) {
        if (settled) {
            return;
        }
        cleanup();
        if (unanswerable()) {
            orphans.release(id);
            return;
        }
        Future<Lease> answered =
                lease.state() == LeaseState.GRANTED ? leases.heartbeat(id) : Future.succeededFuture(lease);
        here(
                answered,
                l -> {
                    if (unanswerable()) {
                        orphans.release(id);
                    } else {
                        requester.answer(l);
                    }
                },
                failure -> {
                    orphans.release(id); // answered with an error, or not at all: nobody learns its id
                    if (!unanswerable()) {
                        requester.fail(failure);
                    }
                });
    }

    /** The client went away (or was answered 503 meanwhile) before its answer: nobody will ever know this lease. */
    private void abandon() {
        if (!settled) {
            cleanup();
            orphans.release(id);
        }
    }

    private boolean unanswerable() {
        return requester.gone();
    }

    private void fail(Throwable failure) {
        if (!settled) {
            cleanup();
            orphans.release(id); // its answer is an error: nobody learns its id
            requester.fail(failure);
        }
    }

    private void cleanup() {
        if (!settled) {
            settled = true;
            cleanups.forEach(Runnable::run);
        }
    }
}
