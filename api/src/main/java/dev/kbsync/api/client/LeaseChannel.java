package dev.kbsync.api.client;

import dev.kbsync.api.Activity;
import dev.kbsync.api.ApiError;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A lease channel ({@code GET /v1/leases/channel}, docs/api.md): raw leases requested, heartbeaten and released over
 * one WebSocket, without an HTTP exchange per call. The leases requested on a channel live with it: the coordinator
 * keeps them alive while it is open and releases them when it closes, so a process that dies frees its KBs at once.
 *
 * <p>Open it with {@link AsyncKbsyncClient#openLeaseChannel()} (or {@link KbsyncClient#openLeaseChannel()}, whose
 * methods block); thread-safe; calls fail with a {@link KbsyncException} as over HTTP, and with
 * {@link KbsyncException.Unreachable} once the channel is closed. It stays on the coordinator it opened on: when it
 * closes (see {@link #closed()}), open a new one and request again.
 */
public final class LeaseChannel implements AutoCloseable {
    private static final long FIRST_RELEASE_RETRY_MS = 250;
    private static final long LAST_RELEASE_RETRY_MS = 4_000;
    private final WebSocket ws;
    private final Transport http;
    private final Vertx vertx;
    private final Duration timeout;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong refs = new AtomicLong();
    private final Promise<Void> closed = Promise.promise();
    /** Requests this client gave up on before their answer: a lease they still bring is released at once. */
    private final Set<String> abandoned = ConcurrentHashMap.newKeySet();

    private record Pending(Promise<Lease> answer, long timer, Consumer<Lease> onPosition, boolean request) {}

    private LeaseChannel(WebSocket ws, Transport http, Duration timeout) {
        this.ws = ws;
        this.http = http;
        this.vertx = http.vertx();
        this.timeout = timeout;
    }

    static Future<LeaseChannel> open(Transport http) {
        return http.webSocket("/v1/leases/channel").map(ws -> {
            LeaseChannel channel = new LeaseChannel(ws, http, http.options().requestTimeout());
            ws.textMessageHandler(channel::answer);
            ws.closeHandler(v -> channel.gone());
            ws.exceptionHandler(e -> {}); // a failed connection also closes it: the close handler fails the calls
            return channel;
        });
    }

    /**
     * Joins {@code kb}'s queue: the lease granted or waiting; with {@link LeaseRequest#withWait} answered at the grant,
     * or still waiting once the wait is over (as {@code POST /v1/kbs/{kb}/leases}).
     */
    public Future<Lease> request(KbId kb, LeaseRequest request) {
        JsonObject frame = request.toJson().put("op", "request").put("kb", kb.value());
        return send(frame, request.maxWait(), null);
    }

    /**
     * {@link #request} that also reports each move of the waiting lease in the queue to {@code onPosition} (the lease
     * with its new {@code ahead}: "2 ahead of you"), on the channel's event loop, until the answer.
     */
    public Future<Lease> request(KbId kb, LeaseRequest request, Consumer<Lease> onPosition) {
        JsonObject frame =
                request.toJson().put("op", "request").put("kb", kb.value()).put("positions", true);
        return send(frame, request.maxWait(), onPosition);
    }

    /** Extends the grant (as {@code POST /v1/leases/{id}/heartbeat}); the channel keeps its own leases alive. */
    public Future<Lease> heartbeat(String leaseId) {
        return send(new JsonObject().put("op", "heartbeat").put("id", leaseId), Duration.ZERO, null);
    }

    /**
     * {@link #heartbeat(String)} that also says what the holder is doing now, as
     * {@link AsyncKbsyncClient#heartbeat(String, String)} does (cleaned to what the coordinator takes:
     * {@link Activity#clean}).
     */
    public Future<Lease> heartbeat(String leaseId, String doing) {
        JsonObject frame =
                new JsonObject().put("op", "heartbeat").put("id", leaseId).put("doing", Activity.clean(doing));
        return send(frame, Duration.ZERO, null);
    }

    /** Releases the lease, or cancels it while waiting (as {@code DELETE /v1/leases/{id}}). */
    public Future<Lease> release(String leaseId) {
        return send(new JsonObject().put("op", "release").put("id", leaseId), Duration.ZERO, null);
    }

    /** Completes when the channel is closed, by either side; its leases are released then. */
    public Future<Void> closed() {
        return closed.future();
    }

    public boolean isOpen() {
        return !closed.future().isComplete();
    }

    /** Closes the channel; the coordinator releases every lease it requested and did not release. */
    public Future<Void> closeAsync() {
        // on the client's event loop: the close's future completes on the context it was asked on
        return http.onLoop(() -> ws.close().eventually(() -> closed.future()));
    }

    @Override
    public void close() {
        closeAsync();
    }

    private Future<Lease> send(JsonObject frame, Duration extraWait, Consumer<Lease> onPosition) {
        if (!isOpen()) {
            return Future.failedFuture(closedFailure());
        }
        String ref = Long.toString(refs.incrementAndGet());
        boolean request = "request".equals(frame.getString("op"));
        Promise<Lease> answer = Promise.promise();
        Duration within = timeout.plus(extraWait);
        pending.put(ref, new Pending(answer, -1, onPosition, request));
        long timer = http.setTimer(within.toMillis(), t -> giveUp(ref, within));
        pending.computeIfPresent(ref, (r, p) -> new Pending(p.answer, timer, p.onPosition, p.request));
        String text = frame.put("ref", ref).encode();
        http.onLoop(() -> ws.writeTextMessage(text)).onFailure(e -> fail(ref, closedFailure()));
        return answer.future();
    }

    /**
     * The call {@code ref} got no answer {@code within} its time: it fails; a request is marked abandoned before it
     * leaves {@link #pending}, so that its answer, which runs on the WebSocket's context and may come in between, finds
     * it in one or the other (and releases its lease), never in neither.
     */
    private void giveUp(String ref, Duration within) {
        Pending late = pending.get(ref);
        if (late == null) {
            return;
        }
        if (late.request) {
            abandoned.add(ref);
        }
        Pending removed = pending.remove(ref);
        if (removed == null) { // answered in between: that answer was the caller's
            abandoned.remove(ref);
            return;
        }
        removed.answer.tryFail(new KbsyncException.TimedOut("no answer on the lease channel within " + within, null));
    }

    private void answer(String text) {
        JsonObject frame;
        try {
            frame = new JsonObject(text);
        } catch (DecodeException e) {
            return; // not ours to answer
        }
        Object ref = frame.getValue("ref");
        if (frame.containsKey("event")) { // an interim frame: the request is still pending
            Pending waiting = ref instanceof String r ? pending.get(r) : null;
            JsonObject lease = frame.getJsonObject("lease");
            if (waiting != null && waiting.onPosition != null && lease != null) {
                waiting.onPosition.accept(Lease.fromJson(lease));
            }
            return;
        }
        Pending waiting = ref instanceof String r ? pending.remove(r) : null;
        if (waiting == null) {
            releaseIfAbandoned(ref, frame);
            return;
        }
        vertx.cancelTimer(waiting.timer);
        try {
            JsonObject lease = frame.getJsonObject("lease");
            if (lease != null) {
                waiting.answer.tryComplete(Lease.fromJson(lease));
                return;
            }
            ApiError error =
                    ApiError.fromJson(frame).orElse(new ApiError("INVALID_ANSWER", "an answer without a lease"));
            Optional<Duration> retryAfter =
                    Optional.ofNullable(frame.getLong("retryAfterMs")).map(Duration::ofMillis);
            waiting.answer.tryFail(KbsyncException.of(frame.getInteger("status", 500), error, retryAfter));
        } catch (RuntimeException unreadable) {
            waiting.answer.tryFail(KbsyncException.of(
                    500,
                    new ApiError("INVALID_ANSWER", "an answer this client cannot read: " + unreadable),
                    Optional.empty()));
        }
    }

    /**
     * The late answer of a request this client gave up on: its lease, which nobody here knows, is released, and again
     * while the coordinator answers that Redis did not take it (or does not answer in time): the channel would keep it
     * alive until it closes.
     */
    private void releaseIfAbandoned(Object ref, JsonObject frame) {
        if (!(ref instanceof String r) || !abandoned.remove(r)) {
            return;
        }
        JsonObject lease = frame.getJsonObject("lease");
        String id = lease == null ? null : lease.getString("id");
        if (id != null) {
            releaseAbandoned(id, FIRST_RELEASE_RETRY_MS);
        }
    }

    private void releaseAbandoned(String id, long nextDelayMs) {
        release(id).onFailure(failure -> {
            if ((failure instanceof KbsyncException.ServiceUnavailable || failure instanceof KbsyncException.TimedOut)
                    && isOpen()) {
                http.setTimer(nextDelayMs, t -> releaseAbandoned(id, Math.min(LAST_RELEASE_RETRY_MS, nextDelayMs * 2)));
            }
        });
    }

    private void fail(String ref, KbsyncException failure) {
        Pending waiting = pending.remove(ref);
        if (waiting != null) {
            vertx.cancelTimer(waiting.timer);
            waiting.answer.tryFail(failure);
        }
    }

    private void gone() {
        closed.tryComplete();
        abandoned.clear(); // the coordinator released what the channel held
        pending.keySet().forEach(ref -> fail(ref, closedFailure()));
    }

    private static KbsyncException closedFailure() {
        return new KbsyncException.Unreachable("the lease channel is closed", null);
    }
}
