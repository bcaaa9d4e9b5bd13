package dev.kbsync.coordinator.http;

import dev.kbsync.api.KbId;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code text/event-stream} response that relays the typed events of an event-bus address, each written as its
 * {@link KbsyncEvent#frame()}. It subscribes first, then sends the current state as the first events (so nothing
 * published in between is lost), sends a keep-alive comment periodically (http.sseKeepAliveSeconds), and releases the
 * subscription and timers when the client goes away or the last event was sent. Position events are coalesced
 * ({@link Coalescer}). A client that does not read what it is sent is dropped, never buffered for without bound. While
 * the connection's write queue is full (Netty's high-water mark, 64 KiB) a KB's snapshot waits, only the latest of each
 * KB, each keeping its place in line (a slow reader of a big queue sees it as it is now, skipping what it could not
 * take in time, and a KB that changes often does not wait behind the others for ever), and goes out once the client has
 * read (Netty's drain: the queue back under half its mark); any other event, or a client that takes nothing of its
 * queue for {@link #STALL_MS} (so one that cannot take a snapshot within that time: 40 KB/s for a 2,000-waiter KB's),
 * ends the stream with one {@code error} event ({@code SLOW_CONSUMER}), and the connection is closed if even that is
 * not taken within {@link #DROP_GRACE_MS}. The stream's state lives on the context that opened it: the first events'
 * read, the write queue's drains and the connection's close come back to it.
 */
final class Sse {
    static final String SLOW_CONSUMER = "SLOW_CONSUMER";
    static final long DROP_GRACE_MS = 5_000;
    /** How long a full write queue may go without the client taking part of it (snapshots waiting meanwhile). */
    static final long STALL_MS = 10_000;
    /** Tells a client the keep-alive period (seconds): a stream silent for a few of them is dead (the dashboard's rule). */
    static final String KEEP_ALIVE_HEADER = "X-Kbsync-Keep-Alive-Seconds";

    private static final Logger LOG = LoggerFactory.getLogger(Sse.class);
    private static final String DROPPED = "event: error\ndata: "
            + Failures.error(SLOW_CONSUMER, "the client did not read its events in time; reconnect")
                    .encode()
            + "\n\n";

    private final RoutingContext ctx;
    private final Context context;
    private final HttpServerResponse response;
    private final Coalescer coalescer;
    private final List<Runnable> cleanups = new ArrayList<>();
    private final List<KbsyncEvent> early = new ArrayList<>();
    private final Predicate<KbsyncEvent> ends;
    /** Per KB, the latest snapshot not yet written: the write queue was full (at most one per KB). */
    private final Map<KbId, SnapshotEvent> waiting = new LinkedHashMap<>();

    private long stallTimer = -1;
    private boolean started;
    private boolean closed;

    private Sse(RoutingContext ctx, Context context, Predicate<KbsyncEvent> ends) {
        this.ctx = ctx;
        this.context = context;
        this.response = ctx.response();
        this.ends = ends;
        this.coalescer = new Coalescer(ctx.vertx(), Coalescer.WINDOW_MS, this::send);
        cleanups.add(coalescer::close);
    }

    /**
     * Relays the events of {@code address} that are {@code visible} to the caller after the events from {@code
     * initial} that are; {@code watch} (taken by the caller, so the engine publishes the address's KB) is closed with
     * the stream.
     */
    static Sse relay(
            RoutingContext ctx,
            Duration keepAlive,
            Watchers.Watch watch,
            String address,
            Supplier<Future<List<KbsyncEvent>>> initial,
            Predicate<KbsyncEvent> visible) {
        return relay(ctx, keepAlive, List.of(watch), address, initial, visible, KbsyncEvent::last);
    }

    /**
     * As {@link #relay(RoutingContext, Duration, Watchers.Watch, String, Supplier, Predicate)} with several watches,
     * ending after the event for which {@code ends} is true (it sees every event sent, in order).
     */
    static Sse relay(
            RoutingContext ctx,
            Duration keepAlive,
            List<Watchers.Watch> watches,
            String address,
            Supplier<Future<List<KbsyncEvent>>> initial,
            Predicate<KbsyncEvent> visible,
            Predicate<KbsyncEvent> ends) {
        Vertx vertx = ctx.vertx();
        Sse sse = new Sse(ctx, vertx.getOrCreateContext(), ends);
        watches.forEach(watch -> sse.cleanups.add(watch::close));
        if (gone(ctx.response())) {
            // the client left, or a 503 after the Redis bound answered, while a read before the stream was under way:
            // no close handler would ever run, so nothing of the stream may stay
            sse.cleanup();
            return sse;
        }
        Stopping.waits(ctx); // a stream is closed when the coordinator stops
        ctx.response().closeHandler(v -> sse.here(sse::cleanup));
        MessageConsumer<KbsyncEvent> consumer = vertx.eventBus().<KbsyncEvent>consumer(address, msg -> {
            if (visible.test(msg.body())) {
                sse.deliver(msg.body());
            }
        });
        sse.cleanups.add(consumer::unregister);
        initial.get()
                .onFailure(failure -> sse.here(() -> {
                    sse.cleanup();
                    ctx.fail(failure);
                }))
                .onSuccess(first -> sse.here(() -> {
                    List<KbsyncEvent> told = first.stream().filter(visible).toList();
                    watches.forEach(watch -> watch.told(told)); // the fan-out's baseline for a KB it showed no view of
                    sse.start(vertx, keepAlive, told);
                }));
        return sse;
    }

    /** Runs {@code action} on the stream's context (at once when already there). */
    private void here(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    /** Runs {@code action} when the stream ends, for whatever reason. */
    void onClose(Runnable action) {
        if (closed) {
            action.run();
        } else {
            cleanups.add(action);
        }
    }

    /** Sends an event now, or keeps it until the first events went out. */
    private void deliver(KbsyncEvent event) {
        if (started) {
            coalescer.offer(event);
        } else {
            early.add(event);
        }
    }

    private void start(Vertx vertx, Duration keepAlive, List<KbsyncEvent> first) {
        open(vertx, keepAlive);
        started = true;
        first.forEach(coalescer::offer);
        early.forEach(coalescer::offer);
        early.clear();
    }

    /** Answered already (a 503 by the Redis gate), or its connection closed (the client left). */
    private static boolean gone(HttpServerResponse response) {
        return response.ended() || response.headWritten() || response.closed();
    }

    private void open(Vertx vertx, Duration keepAlive) {
        if (!closed && gone(response)) { // answered 503 by the Redis gate meanwhile, or the client left
            cleanup();
        }
        if (closed) {
            return;
        }
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no")
                .putHeader(KEEP_ALIVE_HEADER, Long.toString(keepAlive.toSeconds()));
        if (ctx.request().method().equals(HttpMethod.HEAD)) { // the stream's headers, and no stream
            cleanup();
            response.end();
            return;
        }
        long period = keepAlive.toMillis();
        long timer = vertx.setPeriodic( // spread over the period, like the lease streams' keep-alives
                1 + ThreadLocalRandom.current().nextLong(period), period, id -> keepAlive());
        cleanups.add(() -> vertx.cancelTimer(timer));
        write(": kbsync\n\n");
    }

    private void send(KbsyncEvent event) {
        if (closed) {
            return;
        }
        if (event instanceof SnapshotEvent snapshot) {
            waiting.put(snapshot.snapshot().kb(), snapshot); // the latest, in the place its KB took in line
            writeWaiting();
            return;
        }
        if (writeWaiting()) {
            writeNow(event);
        } else {
            drop(); // only snapshots wait: anything else may not be skipped
        }
    }

    private void writeNow(KbsyncEvent event) {
        write(event.frame());
        if (ends.test(event) && !closed) {
            cleanup();
            response.end();
        }
    }

    /**
     * Writes the waiting snapshots while the write queue takes them; true when none is left. Otherwise they wait for
     * the client to read ({@link #awaitRead}).
     */
    private boolean writeWaiting() {
        while (!waiting.isEmpty() && !closed && !response.writeQueueFull()) {
            Iterator<SnapshotEvent> first = waiting.values().iterator();
            SnapshotEvent next = first.next();
            first.remove();
            writeNow(next);
        }
        if (waiting.isEmpty() || closed) {
            return true;
        }
        awaitRead();
        return false;
    }

    /**
     * Waits for the client to take part of the full write queue (a drain), then writes what waits; the client is dropped
     * if it takes none within {@link #STALL_MS}. Only a read restarts that time, not another event.
     */
    private void awaitRead() {
        if (stallTimer != -1 || closed) {
            return;
        }
        stallTimer = ctx.vertx().setTimer(STALL_MS, t -> {
            stallTimer = -1;
            if (closed) {
                return;
            }
            if (response.writeQueueFull()) {
                drop();
            } else {
                writeWaiting(); // it drained, and the drain was not heard
            }
        });
        response.drainHandler(v -> here(() -> {
            if (stallTimer != -1) {
                ctx.vertx().cancelTimer(stallTimer);
                stallTimer = -1;
            }
            writeWaiting();
        }));
    }

    private void keepAlive() {
        if (closed || !writeWaiting()) {
            return; // snapshots still wait: the wait for a read decides
        }
        if (response.writeQueueFull()) {
            awaitRead(); // a comment is not needed while the client has unread data; a client that reads none goes
            return;
        }
        write(": keep-alive\n\n");
    }

    private void write(String text) {
        if (closed) {
            return;
        }
        if (response.writeQueueFull()) {
            drop();
            return;
        }
        response.write(text);
    }

    /** Ends the stream of a client that does not read: one last event, then the connection if that stays unread. */
    private void drop() {
        cleanup();
        LOG.info(
                "dropped the event stream {} {}: the client did not read its events in time",
                ctx.request().method(),
                ctx.request().path());
        HttpConnection connection = ctx.request().connection();
        Vertx vertx = ctx.vertx();
        long timer = vertx.setTimer(DROP_GRACE_MS, t -> connection.close());
        response.end(DROPPED).onComplete(written -> vertx.cancelTimer(timer));
    }

    private void cleanup() {
        if (!closed) {
            closed = true;
            if (stallTimer != -1) {
                ctx.vertx().cancelTimer(stallTimer);
            }
            waiting.clear();
            cleanups.forEach(Runnable::run);
        }
    }
}
