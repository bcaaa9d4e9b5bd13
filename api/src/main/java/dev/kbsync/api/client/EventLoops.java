package dev.kbsync.api.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.function.Supplier;

/**
 * Where {@link Transport} starts its exchanges: always on a Vert.x context of the client's instance, never on a
 * foreign thread. From a plain thread, {@code request()} can complete on the calling thread when a keep-alive
 * connection is free, and a response handler attached there races the event loop that delivers the response (a
 * response that ends first leaves the call pending forever). Started on the context, each step runs on its event loop
 * before the next network event. Callers on one of the instance's event loops run directly; any other thread gets an
 * event-loop context of its own (so concurrent callers spread over the event loops), and each stream opened from it a
 * new one. Never a worker context, even the caller's: a worker verticle's (or a virtual thread's) callbacks run one
 * after the other, so those of a call its blocked caller waits for would wait behind the caller's own task, until the
 * call timed out, and the request would go out only then.
 */
final class EventLoops {
    private final Vertx vertx;
    private final ThreadLocal<Context> contexts;

    EventLoops(Vertx vertx) {
        this.vertx = vertx;
        this.contexts = ThreadLocal.withInitial(this::eventLoopContext);
    }

    /** The context for a call: the caller's own event loop, else the calling thread's event-loop context. */
    Context forCall() {
        return ownLoop() ? Vertx.currentContext() : contexts.get();
    }

    /** The context for a stream: the caller's own event loop, else a new one. */
    Context forStream() {
        return ownLoop() ? Vertx.currentContext() : eventLoopContext();
    }

    /**
     * The calling thread's context if it is an event-loop context (a plain thread's, one of {@code executeBlocking}
     * started on an event loop), else (a worker's, a virtual thread's) a new event-loop context of the instance.
     */
    private Context eventLoopContext() {
        Context context = vertx.getOrCreateContext();
        return context.isEventLoopContext() ? context : ((VertxInternal) vertx).createEventLoopContext();
    }

    /**
     * A timer whose handler runs on the context for a call ({@link #forCall()}): set from a worker, it fires on an
     * event loop rather than behind the worker's own task (a lease's heartbeats while its holder works under it).
     */
    long setTimer(long delayMs, Handler<Long> handler) {
        return ((ContextInternal) forCall()).setTimer(delayMs, handler);
    }

    /** A periodic timer on the context for a call; see {@link #setTimer}. */
    long setPeriodic(long periodMs, Handler<Long> handler) {
        return ((ContextInternal) forCall()).setPeriodic(periodMs, handler);
    }

    /** Starts {@code chain} on {@code context}: directly when already there. */
    <T> Future<T> on(Context context, Supplier<Future<T>> chain) {
        if (Vertx.currentContext() == context) {
            return start(chain);
        }
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> start(chain).onComplete(promise));
        return promise.future();
    }

    /** Whether the caller runs on one of this instance's event loops (then it can start exchanges directly). */
    private boolean ownLoop() {
        Context current = Vertx.currentContext();
        return current != null && current.owner() == vertx && Context.isOnEventLoopThread();
    }

    /** Starts {@code chain}; what it throws before it has a future (a bad request) fails the call. */
    static <T> Future<T> start(Supplier<Future<T>> chain) {
        try {
            return chain.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
