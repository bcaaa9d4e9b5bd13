package dev.kbsync.api.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The blocking face's wait: {@link KbsyncClient} and {@link BlockingLeaseChannel} turn each future into its result on
 * the calling thread, waiting at most the call's time on each coordinator the failover may try, plus a margin (a last
 * guard against a lost answer).
 */
final class Blocking {
    /** How much longer than a call's own timeout a blocked caller waits: a last guard against a lost answer. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    private final Duration requestTimeout;
    private final int coordinators;
    private final Duration margin;

    /**
     * Waits for calls of {@code requestTimeout} (plus a long poll's wait) on each of {@code coordinators}: the failover
     * gives each coordinator it tries the call's whole time.
     */
    Blocking(Duration requestTimeout, int coordinators) {
        this(requestTimeout, coordinators, MARGIN);
    }

    /** One coordinator (tests). */
    Blocking(Duration requestTimeout) {
        this(requestTimeout, 1, MARGIN);
    }

    /** With another margin than {@link #MARGIN} (tests). */
    Blocking(Duration requestTimeout, Duration margin) {
        this(requestTimeout, 1, margin);
    }

    private Blocking(Duration requestTimeout, int coordinators, Duration margin) {
        this.requestTimeout = requestTimeout;
        this.coordinators = coordinators;
        this.margin = margin;
    }

    /** Waits for {@code future} up to the call timeout; its failure is thrown as it is. */
    <T> T await(Future<T> future) {
        return await(future, Duration.ZERO);
    }

    /**
     * Waits for {@code future} up to the call timeout plus {@code extra} on each coordinator; its failure is thrown as
     * it is.
     */
    <T> T await(Future<T> future, Duration extra) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("KbsyncClient blocks: call it off the event loop, or use async()");
        }
        CountDownLatch done = new CountDownLatch(1);
        future.onComplete(r -> done.countDown());
        long waitMs = requestTimeout
                .plus(extra)
                .multipliedBy(coordinators)
                .plus(margin)
                .toMillis();
        try {
            if (!done.await(waitMs, TimeUnit.MILLISECONDS)) {
                throw new KbsyncException.TimedOut("no answer within " + waitMs + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbsyncException.Interrupted("interrupted while waiting for the coordinator", e);
        }
        if (future.succeeded()) {
            return future.result();
        }
        throw future.cause() instanceof RuntimeException r ? r : new IllegalStateException(future.cause());
    }

    /**
     * {@link #await(Future)} of a future whose result holds a connection (an open stream, a channel): when the caller
     * stops waiting first (timed out, interrupted), the result that comes after all is passed to {@code abandoned}
     * (which closes it), as nobody else will.
     */
    <T> T await(Future<T> future, Consumer<? super T> abandoned) {
        return await(future, Duration.ZERO, abandoned);
    }

    /**
     * {@link #await(Future, Duration)} of a future whose result nobody else will give back (a grant, an assignment, an
     * open stream): when the caller stops waiting first (timed out, interrupted), the result that comes after all is
     * passed to {@code abandoned}, which gives it back.
     */
    <T> T await(Future<T> future, Duration extra, Consumer<? super T> abandoned) {
        try {
            return await(future, extra);
        } catch (KbsyncException.TimedOut | KbsyncException.Interrupted gaveUp) {
            future.onSuccess(abandoned::accept);
            throw gaveUp;
        }
    }

    /**
     * An {@link EventStream} fed by the subscription {@code follow} opens, once it is open; one that opens only after
     * the wait gave up is closed then.
     */
    <E> EventStream<E> open(Function<Consumer<E>, Future<Subscription>> follow) {
        EventStream<E> stream = new EventStream<>();
        stream.attach(await(follow.apply(stream::offer), Subscription::close));
        return stream;
    }
}
