package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.RateLimitedException;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.ChannelGauges;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Orphans;
import dev.kbsync.coordinator.service.Watchers;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
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
 */
final class LeaseChannel {
    private static final Logger log = LoggerFactory.getLogger(LeaseChannel.class);
    private static final int MAX_REF = 64;
    /**
     * The longest frame (WebSocket message) a channel reads, its fragments together: the WebSocket layer's bound on one
     * fragment (HttpServerOptions' default maxWebSocketFrameSize), which would otherwise read 256 KiB in fragments.
     */
    static final int MAX_FRAME = 65_536;
    /** The most leases a channel keeps (held, or requested and not answered yet); one client's bound on the memory. */
    static final int MAX_LEASES = 1_000;
    /** The most heartbeats and releases a channel has under way at once. */
    static final int MAX_CALLS = 1_000;

    private static final Duration FULL_RETRY = Duration.ofSeconds(1);

    /** The fields of each op's frame (docs/api.md, "Lease channel"). */
    private static final Map<String, String[]> FIELDS = Map.of(
            "request", new String[] {"op", "ref", "kb", "holder", "ttlMs", "waitMs", "positions"},
            "heartbeat", new String[] {"op", "ref", "id", "doing"},
            "release", new String[] {"op", "ref", "id"});

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
    private final LeaseService leases;
    private final Orphans orphans;
    private final Watchers watchers;
    private final Duration defaultTtl;
    private final Duration maxHold;
    private final Bound bound;
    private final ChannelGauges gauges;
    private final Map<String, KeepAlive> held = new HashMap<>();
    private final Set<Call> calls = new HashSet<>();
    /** Lease requests under way whose lease is not known yet. */
    private int requesting;
    /** Lease requests under way. */
    private int requests;

    private final Duration silence;
    private final long pinger;
    private long heardAt = System.nanoTime();
    /** The timer that closes a client that does not catch up with its answers (-1: not behind). */
    private long behind = -1;

    private boolean closed;
    /** The WebSocket message being read, fragment by fragment (null between messages; a binary one is not kept). */
    private Buffer reading;

    private boolean binary;
    /** The bytes of {@link #reading} so far. */
    private int readingBytes;

    private LeaseChannel(
            Vertx vertx, ServerWebSocket ws, Caller caller, LeaseService leases, Watchers watchers, Setup setup) {
        this.silence = setup.silence();
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.bound = setup.bound();
        this.gauges = setup.gauges();
        this.ws = ws;
        this.caller = caller;
        this.leases = leases;
        this.orphans = new Orphans(vertx, leases, setup.maxHold());
        this.watchers = watchers;
        this.defaultTtl = setup.defaultTtl();
        this.maxHold = setup.maxHold();
        gauges.opened();
        bound.open.put(this, context);
        long pingMs = Math.max(100, silence.toMillis() / 3);
        this.pinger = vertx.setPeriodic(pingMs, t -> {
            if (System.nanoTime() - heardAt > silence.toNanos()) {
                log.info(
                        "lease channel of {}: no answer to pings for {} ms; closing it",
                        caller.name(),
                        silence.toMillis());
                ws.close((short) 1008, "no answer to pings");
                closed();
            } else {
                ws.writePing(Buffer.buffer());
            }
        });
    }

    /** Serves {@code ws} for {@code caller} until it closes; must run on the connection's context. */
    static void serve(
            Vertx vertx, ServerWebSocket ws, Caller caller, LeaseService leases, Watchers watchers, Setup setup) {
        LeaseChannel channel = new LeaseChannel(vertx, ws, caller, leases, watchers, setup);
        ws.frameHandler(channel::fragment);
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

    private void heard() {
        heardAt = System.nanoTime();
    }

    /**
     * One WebSocket frame: a channel frame (a WebSocket message) may come in fragments and is read once whole, as
     * strict UTF-8: a text frame that is not UTF-8 is refused, not read with replacement characters.
     */
    private void fragment(WebSocketFrame fragment) {
        if (fragment.isText() || fragment.isBinary()) {
            reading = Buffer.buffer();
            readingBytes = 0;
            binary = fragment.isBinary();
        } else if (!fragment.isContinuation() || reading == null) {
            return; // a ping, pong or close: the WebSocket layer answers it
        }
        readingBytes += fragment.binaryData().length();
        if (readingBytes > MAX_FRAME) { // as the WebSocket layer closes on one fragment over the bound
            reading = null;
            ws.close((short) 1009, "a frame is at most " + MAX_FRAME + " bytes");
            closed();
            return;
        }
        if (!binary) {
            reading.appendBuffer(fragment.binaryData());
        }
        if (!fragment.isFinal()) {
            return;
        }
        Buffer whole = reading;
        reading = null;
        heard();
        if (binary) {
            refuse(null, "INVALID_FRAME", "frames are JSON text, not binary");
            return;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(whole.getBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            refuse(null, "INVALID_FRAME", "a text frame is UTF-8");
            return;
        }
        frame(text);
    }

    private void frame(String text) {
        heard();
        if (closed) {
            return;
        }
        JsonObject frame;
        try {
            Bodies.strict(text.getBytes(StandardCharsets.UTF_8));
            frame = new JsonObject(text);
        } catch (DecodeException | ClassCastException | IOException e) {
            refuse(null, "INVALID_FRAME", "a frame is a JSON object");
            return;
        }
        Object rawRef = frame.getValue("ref");
        if (!(rawRef instanceof String ref)
                || ref.isEmpty()
                || ref.length() > MAX_REF
                || !StandardCharsets.UTF_8.newEncoder().canEncode(ref)) { // a lone surrogate would come back as "?"
            refuse(null, "INVALID_FRAME", "a frame needs a \"ref\": a string of 1-" + MAX_REF + " characters");
            return;
        }
        try {
            String op = Fields.of(frame, "", frame.fieldNames().toArray(String[]::new))
                    .string("op");
            String[] allowed = FIELDS.get(op);
            if (allowed == null) {
                refuse(ref, "INVALID_FRAME", "\"op\" is one of request, release, heartbeat");
                return;
            }
            Fields fields = Fields.of(frame, "", allowed); // a field of another op is refused, not ignored
            switch (op) {
                case "request" -> request(ref, fields);
                case "release" -> release(ref, fields);
                default -> heartbeat(ref, fields);
            }
        } catch (RuntimeException e) {
            failed(ref, e);
        }
    }

    private void request(String ref, Fields fields) {
        KbId kb = KbId.of(fields.string("kb"));
        caller.checkKb(kb.value());
        LeaseAsk ask = LeaseAsk.read(kb, fields, defaultTtl, maxHold);
        Duration wait = ask.waitFor();
        boolean positions = fields.optBoolean("positions").orElse(false);
        if (held.size() + requesting >= MAX_LEASES) {
            throw full("TOO_MANY_LEASES", MAX_LEASES + " leases (release some)");
        }
        Call call = new Call(ref, wait, positions, true);
        if (!call.open()) {
            return;
        }
        here(calling(() -> leases.request(kb, ask.holder(), ask.ttl())))
                .onSuccess(lease -> {
                    if (!call.open()) { // answered 503 meanwhile, or the channel closed: nobody knows this lease
                        orphans.release(lease.id());
                        return;
                    }
                    call.requested(lease.id());
                    if (lease.state() == LeaseState.WAITING && !wait.isZero()) {
                        LeaseWait.await(call, leases, orphans, watchers, lease, wait);
                    } else {
                        call.answer(lease);
                    }
                })
                .onFailure(call::fail);
    }

    private void release(String ref, Fields fields) {
        onLease(ref, fields, leases::release, this::letGo);
    }

    /** A heartbeat frame, optionally saying what the holder is doing ({@code doing}, as the HTTP heartbeat's body). */
    private void heartbeat(String ref, Fields fields) {
        Optional<String> doing = fields.optString("doing").map(Inputs::doing);
        onLease(ref, fields, id -> leases.heartbeat(id, doing), id -> {});
    }

    /** A call on the lease the frame names, once it is the caller's to use; {@code then} runs before its answer. */
    private void onLease(String ref, Fields fields, Function<String, Future<Lease>> op, Consumer<String> then) {
        String id = Inputs.id("INVALID_LEASE_ID", "lease id", fields.string("id"));
        if (calls.size() - requests >= MAX_CALLS) {
            throw full("TOO_MANY_CALLS", MAX_CALLS + " heartbeats and releases under way");
        }
        Call call = new Call(ref, Duration.ZERO, false, false);
        if (!call.open()) {
            return;
        }
        here(calling(() -> LeaseRoutes.visibleLease(leases, caller, id).compose(op)))
                .onSuccess(lease -> {
                    then.accept(id);
                    call.answer(lease);
                })
                .onFailure(failure -> {
                    if (failure instanceof NotFoundException
                            || (failure instanceof ConflictException conflict
                                    && ErrorCodes.LEASE_LOST.equals(conflict.code()))) {
                        letGo(id); // nothing left to keep alive
                    }
                    call.fail(failure);
                });
    }

    /**
     * One frame's call, answered once: by its result, or with 503 REDIS_UNAVAILABLE at once while Redis is down and
     * once Redis's bound is over; a waiting request's moves in the queue go before its answer when it asked for them.
     */
    private final class Call implements LeaseWait.Requester {
        private final String ref;
        private final boolean positions;
        private final long timer;
        private Runnable onGone = () -> {};
        private boolean answered;
        /** The lease a request created (null before, and for other calls). */
        private String leaseId;
        /** Whether the call is a lease request (counted in {@link #requesting} until its lease is known or it ends). */
        private final boolean request;

        Call(String ref, Duration wait, boolean positions, boolean request) {
            this.ref = ref;
            this.positions = positions;
            this.request = request;
            calls.add(this);
            if (request) {
                requests++;
                requesting++;
            }
            this.timer = vertx.setTimer(bound.deadline().plus(wait).toMillis(), t -> gone(RedisHealth.unavailable()));
            if (!bound.health().up()) {
                gone(RedisHealth.unavailable());
            }
        }

        boolean open() {
            return !answered;
        }

        /** The request's lease exists: it lives with the channel from now on, until it ends or is lost. */
        void requested(String id) {
            leaseId = id;
            requesting--;
            held.put(id, leases.keepAlive(id, () -> here(() -> letGo(id))));
            gauges.held(1);
        }

        @Override
        public Vertx vertx() {
            return vertx;
        }

        @Override
        public boolean gone() {
            return answered;
        }

        @Override
        public void onGone(Runnable then) {
            onGone = then;
        }

        @Override
        public void answer(Lease lease) {
            here(() -> finish(new JsonObject().put("ref", ref).put("lease", lease.toJson())));
        }

        @Override
        public void fail(Throwable failure) {
            here(() -> {
                JsonObject frame = Failures.frame(failure, "the lease channel of " + caller.name())
                        .put("ref", ref);
                if (finish(frame) && leaseId != null) { // its id goes out only with an answer: nobody knows it
                    letGo(leaseId);
                    orphans.release(leaseId);
                }
            });
        }

        @Override
        public void position(Lease lease) {
            here(() -> {
                if (positions && !answered) {
                    sendEvent(new JsonObject()
                            .put("ref", ref)
                            .put("event", "position")
                            .put("lease", lease.toJson()));
                }
            });
        }

        /** Ends the call before its result: {@code failure} is its answer (null: the channel closed). */
        void gone(Throwable failure) {
            if (answered) {
                return;
            }
            if (failure != null) {
                fail(failure);
            } else {
                finish(null);
            }
            onGone.run();
        }

        /** Answers the call unless it was answered; whether this answered it. */
        private boolean finish(JsonObject frame) {
            if (answered) {
                return false;
            }
            answered = true;
            vertx.cancelTimer(timer);
            calls.remove(this);
            if (request) {
                requests--;
                if (leaseId == null) {
                    requesting--;
                }
            }
            if (frame != null) {
                send(frame);
            }
            return true;
        }
    }

    private static RateLimitedException full(String code, String what) {
        return new RateLimitedException(
                code, FULL_RETRY, 0, "a lease channel has at most " + what + "; open another channel for more");
    }

    /** Stops keeping {@code id} alive for this channel (released, lost, or its request failed). */
    private void letGo(String id) {
        KeepAlive keepAlive = held.remove(id);
        if (keepAlive != null) {
            keepAlive.close();
            gauges.held(-1);
        }
    }

    /**
     * The future {@code call} returns, or its exception as a failed one: a call under way is answered once, by its
     * future, never also by the frame's own error.
     */
    private static <T> Future<T> calling(Supplier<Future<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** {@code future}, completed on the channel's context (the engine completes its futures on its own). */
    private <T> Future<T> here(Future<T> future) {
        Promise<T> promise = Promise.promise();
        future.onComplete(result -> here(() -> promise.handle(result)));
        return promise.future();
    }

    /** Runs {@code action} on the channel's context, at once when already there. */
    private void here(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    private void failed(String ref, Throwable failure) {
        send(Failures.frame(failure, "the lease channel of " + caller.name()).put("ref", ref));
    }

    private void refuse(String ref, String code, String message) {
        failed(ref, new InvalidInputException(code, message));
    }

    /**
     * Sends an answer. A client may fall behind reading for a while (a burst of calls): the channel then stops reading
     * its frames until it caught up, so what queues is bounded by what a channel may have under way; one that has not
     * caught up after the ping silence is closed (its leases released).
     */
    private void send(JsonObject frame) {
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
                ws.close((short) 1008, "answers not read");
                closed();
            });
            ws.pause();
            ws.drainHandler(v -> caughtUp());
        }
    }

    /** A position event: skipped while the client is behind (its next event or its answer says more). */
    private void sendEvent(JsonObject event) {
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

    /** Redis was found down: every call under way is answered 503 REDIS_UNAVAILABLE now. */
    private void redisDown() {
        new ArrayList<>(calls).forEach(call -> call.gone(RedisHealth.unavailable()));
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
        gauges.held(-held.size());
        new ArrayList<>(calls).forEach(call -> call.gone(null));
        held.forEach((id, keepAlive) -> {
            keepAlive.close();
            orphans.release(id);
        });
        if (!held.isEmpty()) {
            log.info("lease channel of {} closed; released its {} lease(s)", caller.name(), held.size());
        }
        held.clear();
    }
}
