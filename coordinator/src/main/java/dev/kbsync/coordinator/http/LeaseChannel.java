package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.ChannelGauges;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Orphans;
import dev.kbsync.coordinator.service.Watchers;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lease channel ({@code GET /v1/leases/channel}, a WebSocket): requests, heartbeats and releases of raw leases as
 * JSON text frames on one connection, each answered by a frame with the same {@code ref} (docs/api.md, "Lease
 * channel"). A request's {@code waitMs} waits for the grant as the HTTP long poll does ({@link LeaseWait}).
 *
 * <p>The leases requested on a channel live with it: they are kept alive while it is open and released when it closes
 * (or when its client stops answering pings for {@code silence}), so a client that dies frees its KBs at once. Runs on
 * the connection's context.
 *
 * <p>This class holds the connection: its pings, its flow control (sending), its close, and what it holds
 * ({@link ChannelHoldings}). Its frames are read by {@link ChannelFrames} and served by {@link ChannelOps}, each call
 * answered once by a {@link ChannelCall}.
 */
final class LeaseChannel {
    private static final Logger log = LoggerFactory.getLogger(LeaseChannel.class);
    /** The most leases a channel keeps (held, or requested and not answered yet); one client's bound on the memory. */
    static final int MAX_LEASES = 1_000;
    /** The most heartbeats and releases a channel has under way at once. */
    static final int MAX_CALLS = 1_000;

    /**
     * Redis's bound on a frame, as {@link RedisGate} bounds a request: refused at once with 503 REDIS_UNAVAILABLE while
     * {@code health} says Redis is down, answered so at once when {@code health} finds Redis down while it is under
     * way (a request waiting for its grant too), and after {@code deadline} (a request: its wait plus the deadline) if
     * Redis has not answered by then (a lease it then grants is released: nobody learned its id). One per
     * coordinator's API, shared by its channels.
     */
    static final class Bound {
        private final RedisHealth health;
        private final Duration deadline;
        private final Map<LeaseChannel, Context> open = new ConcurrentHashMap<>();

        Bound(RedisHealth health, Duration deadline) {
            this.health = health;
            this.deadline = deadline;
            health.onChange(up -> {
                if (!up) {
                    open.forEach((channel, context) -> context.runOnContext(v -> channel.redisDown()));
                }
            });
        }

        RedisHealth health() {
            return health;
        }

        Duration deadline() {
            return deadline;
        }
    }

    /**
     * What every channel of a coordinator shares: the TTL of a request without one and the longest allowed, how long a
     * client may leave pings unanswered, Redis's bound, and the gauges.
     */
    record Setup(Duration defaultTtl, Duration maxHold, Duration silence, Bound bound, ChannelGauges gauges) {}

    private final Vertx vertx;
    private final Context context;
    private final ServerWebSocket ws;
    private final Caller caller;
    private final Orphans orphans;
    private final Bound bound;
    private final ChannelGauges gauges;
    private final ChannelHoldings holdings;

    private final Duration silence;
    private final long pinger;
    private long heardAt = System.nanoTime();
    /** The timer that closes a client that does not catch up with its answers (-1: not behind). */
    private long behind = -1;

    private boolean closed;

    private LeaseChannel(Vertx vertx, ServerWebSocket ws, Caller caller, LeaseService leases, Setup setup) {
        this.silence = setup.silence();
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.bound = setup.bound();
        this.gauges = setup.gauges();
        this.ws = ws;
        this.caller = caller;
        this.orphans = new Orphans(vertx, leases, setup.maxHold());
        this.holdings = new ChannelHoldings(leases, gauges);
        gauges.opened();
        bound.open.put(this, context);
        long pingMs = Math.max(100, silence.toMillis() / 3);
        this.pinger = vertx.setPeriodic(pingMs, t -> {
            if (System.nanoTime() - heardAt > silence.toNanos()) {
                log.info(
                        "lease channel of {}: no answer to pings for {} ms; closing it",
                        caller.name(),
                        silence.toMillis());
                close((short) 1008, "no answer to pings");
            } else {
                ws.writePing(Buffer.buffer());
            }
        });
    }

    /** Serves {@code ws} for {@code caller} until it closes; must run on the connection's context. */
    static void serve(
            Vertx vertx, ServerWebSocket ws, Caller caller, LeaseService leases, Watchers watchers, Setup setup) {
        LeaseChannel channel = new LeaseChannel(vertx, ws, caller, leases, setup);
        ChannelFrames frames = new ChannelFrames(channel, new ChannelOps(channel, leases, watchers, setup));
        ws.frameHandler(frames::fragment);
        ws.pongHandler(b -> channel.heard());
        ws.closeHandler(v -> channel.closed());
        // the server's shutdown (the coordinator stops): going away at once, its leases released as at any close
        ws.shutdownHandler(v -> ws.close((short) 1001, "the coordinator is stopping"));
        ws.exceptionHandler(e -> {
            log.debug("lease channel of {}: {}", caller.name(), e.toString());
            if (e instanceof CorruptedWebSocketFrameException corrupted) {
                // a fragment over 64 KiB (1009) or one the protocol does not allow (1002): Vert.x closes the
                // connection right after this, without a close frame (one written in the middle of a read of
                // other frames is not flushed in time, though)
                ws.close(
                        (short) corrupted.closeStatus().code(),
                        corrupted.closeStatus().reasonText());
            }
        });
    }

    Vertx vertx() {
        return vertx;
    }

    Caller caller() {
        return caller;
    }

    Bound bound() {
        return bound;
    }

    /** Releases the leases nobody learned of (again while Redis does not take the release). */
    Orphans orphans() {
        return orphans;
    }

    boolean isClosed() {
        return closed;
    }

    /** The client was heard from: a frame, or a pong. */
    void heard() {
        heardAt = System.nanoTime();
    }

    /** The calls under way and the leases kept alive. */
    ChannelHoldings holdings() {
        return holdings;
    }

    /** Runs {@code action} on the channel's context, at once when already there. */
    void here(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    /**
     * Sends an answer. A client may fall behind reading for a while (a burst of calls): the channel then stops reading
     * its frames until it caught up, so what queues is bounded by what a channel may have under way; one that has not
     * caught up after the ping silence is closed (its leases released).
     */
    void send(JsonObject frame) {
        if (closed) {
            return;
        }
        ws.writeTextMessage(frame.encode());
        if (ws.writeQueueFull() && behind == -1) {
            behind = vertx.setTimer(silence.toMillis(), t -> {
                log.warn(
                        "lease channel of {} has not read its answers for {} ms; closing it",
                        caller.name(),
                        silence.toMillis());
                close((short) 1008, "answers not read");
            });
            ws.pause();
            ws.drainHandler(v -> caughtUp());
        }
    }

    /** A position event: skipped while the client is behind (its next event or its answer says more). */
    void sendEvent(JsonObject event) {
        if (behind == -1) {
            send(event);
        }
    }

    private void caughtUp() {
        if (behind != -1) {
            vertx.cancelTimer(behind);
            behind = -1;
            if (!closed) {
                ws.resume();
            }
        }
    }

    /** Closes the WebSocket with {@code code} and {@code reason}, and the channel with it. */
    void close(short code, String reason) {
        ws.close(code, reason);
        closed();
    }

    /** Redis was found down: every call under way is answered 503 REDIS_UNAVAILABLE now. */
    private void redisDown() {
        holdings.calls().forEach(call -> call.gone(RedisHealth.unavailable()));
    }

    /** The channel is gone: pending waits end, and every lease it requested and did not release is released. */
    private void closed() {
        if (closed) {
            return;
        }
        closed = true;
        bound.open.remove(this);
        vertx.cancelTimer(pinger);
        caughtUp();
        gauges.closed();
        int released = holdings.releaseAll(orphans);
        if (released > 0) {
            log.info("lease channel of {} closed; released its {} lease(s)", caller.name(), released);
        }
    }
}
