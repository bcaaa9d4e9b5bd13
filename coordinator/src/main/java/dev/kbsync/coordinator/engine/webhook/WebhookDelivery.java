package dev.kbsync.coordinator.engine.webhook;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.Webhooks;
import dev.kbsync.coordinator.engine.ticket.DueHook;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a KB's due webhooks, at least once: each sweep claims the due ones (their entry pushed out by the configured
 * lease, so another coordinator delivers one this coordinator dies before reporting), POSTs the job JSON with its
 * delivery id and signature to a checked address of the callback's host ({@link CallbackAddresses}), and reports the
 * result: a 2xx removes it; anything else (a status, a timeout, a refused connection or address) makes it due again
 * after a backoff, until the retry window after the job's terminal state is over (then dropped, logged and counted). A delivery whose host this coordinator's {@code webhooks.allowedHosts} does
 * not list (any more: it was checked at submit, perhaps against another list) is dropped unsent, never retried. Runs on
 * the engine context, beside the sweep (a slow receiver never delays it). One claim per KB at a time, but not one pass:
 * a claim's deliveries are pushed out by the lease, so the KB's next sweep claims those falling due meanwhile and posts
 * them at once, while a slow receiver still holds its own attempt (at most the timeout, half the lease).
 *
 * <p>At most {@link #MAX_IN_FLIGHT} attempts are under way at once, over every KB and receiver, and the HTTP client
 * keeps as many connections per host: a pass claims only the deliveries there is room for (the others stay due, not
 * counted, for a later pass), so a claimed delivery never waits for a connection while its timeout runs, and an attempt
 * fails only on its receiver's account.
 */
public final class WebhookDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final int BATCH = 20;
    /** The most attempts under way at once, over every KB: also the HTTP client's connections per host. */
    static final int MAX_IN_FLIGHT = 100;
    /** The most of a receiver's answer body read (and ignored); a longer one is hung up on, its status kept. */
    private static final long MAX_ANSWER = 64 * 1024;

    private final Vertx vertx;
    private final Tickets tickets;
    private final Webhooks config;
    private final MetricsSink metrics;
    private final HttpClient http;
    private final CallbackAddresses addresses;
    private final Set<KbId> claiming = new HashSet<>(); // KBs whose claim (hooks.lua) has not answered yet
    private final long timeoutMs;
    private final Consumer<KbId> retried;
    private final Predicate<KbId> removed;
    private int inFlight; // deliveries claimed (or being claimed) whose attempt is not over

    /**
     * {@code retried}: told of a KB one of whose deliveries is due again (the sweep looks at it again: a KB resting
     * since the delivery was claimed would otherwise retry it only at its next sweep). {@code removed}: whether a KB
     * was removed here since (an attempt that ends after its KB's removal is not counted per KB, nor sent to the sweep).
     */
    public WebhookDelivery(
            Vertx vertx,
            Tickets tickets,
            Webhooks config,
            MetricsSink metrics,
            Consumer<KbId> retried,
            Predicate<KbId> removed) {
        this.vertx = vertx;
        this.tickets = tickets;
        this.retried = retried;
        this.removed = removed;
        this.config = config;
        this.metrics = metrics;
        this.timeoutMs = config.timeout().toMillis();
        this.http = vertx.createHttpClient(
                new HttpClientOptions().setConnectTimeout((int) timeoutMs),
                new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
        this.addresses = new CallbackAddresses(vertx, config);
    }

    /**
     * Starts delivering {@code kb}'s due webhooks unless webhooks are off or a claim for it is under way. Tells, once
     * the pass (the claim and the attempts it claimed) is over, whether the KB may have deliveries left: false when
     * webhooks are off or Redis said it has none (none can fall due later); true otherwise, a pass that failed or was
     * not started (no room for one more attempt) included.
     */
    public Future<Boolean> deliver(KbId kb) {
        return deliver(kb, true);
    }

    /**
     * As {@link #deliver(KbId)} for a removed KB ({@link RemovedKbHooks}): its results are logged but neither counted
     * per KB (its meters are gone, and would stay for good) nor sent to the sweep, which no longer looks at it.
     */
    public Future<Boolean> deliverRemoved(KbId kb) {
        return deliver(kb, false);
    }

    private Future<Boolean> deliver(KbId kb, boolean registered) {
        if (!config.enabled()) {
            return Future.succeededFuture(false);
        }
        int room = Math.min(BATCH, MAX_IN_FLIGHT - inFlight);
        if (room <= 0 || !claiming.add(kb)) {
            return Future.succeededFuture(true);
        }
        inFlight += room;
        // once claimed, the next sweep may claim what falls due while these attempts run
        return tickets.dueHooks(kb, config.lease().toMillis(), room)
                .andThen(claimed -> claiming.remove(kb))
                .compose(
                        claim -> {
                            inFlight -= room - claim.due().size();
                            return Future.join(claim.due().stream()
                                            .map(hook -> post(hook, registered).andThen(ar -> inFlight--))
                                            .toList())
                                    .map(v -> !claim.noneLeft());
                        },
                        failed -> {
                            inFlight -= room;
                            return Future.failedFuture(failed);
                        })
                .transform(ar -> {
                    if (ar.failed()) {
                        LOG.debug(
                                "KB {}: webhook pass failed: {}", kb, ar.cause().toString());
                    }
                    return Future.succeededFuture(ar.failed() || ar.result());
                });
    }

    public Future<Void> close() {
        return Future.join(http.close(), addresses.close()).mapEmpty();
    }

    private Future<Void> post(DueHook hook, boolean registered) {
        URI uri = CallbackAddresses.uri(hook.callbackUrl());
        if (uri == null || !config.allowsHostOf(uri)) {
            return tickets.hookDropped(hook).map(result -> {
                refused(hook, uri, result, registered);
                return null;
            });
        }
        return exchange(hook, uri).transform(ar -> {
            boolean ok = ar.succeeded() && ar.result() / 100 == 2;
            return tickets.hookDone(hook, ok, config.retry().toMillis()).map(result -> {
                reported(hook, result, ar, registered);
                return null;
            });
        });
    }

    /**
     * POSTs {@code hook} to an allowed address of its host ({@link CallbackAddresses}) and reads the answer's status;
     * the whole exchange, the host's lookup and the body included, within the timeout (a receiver that trickles its
     * answer is hung up on), and at most {@link #MAX_ANSWER} bytes of body (ignored): past them the receiver is hung
     * up on and its status is the answer (a 2xx accepted the delivery, whatever follows).
     */
    private Future<Integer> exchange(DueHook hook, URI uri) {
        Promise<Integer> answered = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long timer = vertx.setTimer(timeoutMs, t -> {
            if (answered.tryFail(new TimeoutException("no whole answer within " + timeoutMs + " ms"))
                    && sent.get() != null) {
                sent.get().reset();
            }
        });
        answered.future().onComplete(ar -> vertx.cancelTimer(timer));
        addresses
                .of(uri)
                .compose(address -> request(hook, address))
                .compose(req -> {
                    sent.set(req);
                    if (answered.future().isComplete()) { // timed out before the connection: not sent
                        req.reset();
                        return answered.future().mapEmpty();
                    }
                    return req.send(Buffer.buffer(body(hook)));
                })
                .compose(resp -> {
                    AtomicLong read = new AtomicLong();
                    resp.handler(chunk -> {
                        if (read.addAndGet(chunk.length()) > MAX_ANSWER && answered.tryComplete(resp.statusCode())) {
                            sent.get().reset();
                        }
                    });
                    return resp.end().map(v -> resp.statusCode());
                })
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        answered.tryComplete(ar.result());
                    } else {
                        answered.tryFail(ar.cause());
                    }
                });
        return answered.future();
    }

    /**
     * The signed request to {@code address}, the URL's host checked and resolved (the Host header and TLS still name the
     * host), or its failure (a callback URL the HTTP client refuses fails this delivery only).
     */
    private Future<HttpClientRequest> request(DueHook hook, InetAddress address) {
        try {
            long now = System.currentTimeMillis() / 1000;
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setAbsoluteURI(hook.callbackUrl())
                    .setFollowRedirects(false)
                    .setConnectTimeout(timeoutMs)
                    .setIdleTimeout(timeoutMs)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("User-Agent", "kbsync-webhooks")
                    .putHeader("Kbsync-Delivery", hook.deliveryId())
                    .putHeader("Kbsync-Signature", Signature.header(config.secret(), now, body(hook)));
            return http.request(
                    options.setServer(SocketAddress.inetSocketAddress(options.getPort(), address.getHostAddress())));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static byte[] body(DueHook hook) {
        return hook.job().toJson().encode().getBytes(StandardCharsets.UTF_8);
    }

    /** A delivery whose host the current {@code webhooks.allowedHosts} does not list: dropped without an attempt. */
    private void refused(DueHook hook, URI uri, DueHook.Result result, boolean registered) {
        count(hook, result, registered);
        if (result == DueHook.Result.DROPPED) {
            LOG.warn(
                    "webhook {} dropped, not sent: its callback host {} is not on webhooks.allowedHosts (any more)",
                    hook.deliveryId(),
                    uri == null ? "(unreadable)" : Webhooks.hostOf(uri));
        }
    }

    private void reported(DueHook hook, DueHook.Result result, AsyncResult<Integer> answer, boolean registered) {
        count(hook, result, registered);
        Throwable failure = answer.cause();
        boolean refused = failure instanceof CallbackAddresses.Refused; // not the receiver's failure: worth a WARN
        String why = failure == null ? "HTTP " + answer.result() : refused ? failure.getMessage() : failure.toString();
        switch (result) {
            case DELIVERED -> LOG.info("webhook {} delivered on attempt {}", hook.deliveryId(), hook.attempt());
            case RETRY -> {
                String message = "webhook {} attempt {} failed ({}); retried later";
                if (refused) {
                    LOG.warn(message, hook.deliveryId(), hook.attempt(), why);
                } else {
                    LOG.info(message, hook.deliveryId(), hook.attempt(), why);
                }
            }
            case DROPPED -> {
                LOG.warn(
                        "webhook {} dropped after {} attempt(s) ({}): retry window of {} s over",
                        hook.deliveryId(),
                        hook.attempt(),
                        why,
                        config.retry().toSeconds());
            }
            case UNKNOWN -> LOG.debug("webhook {}: no longer due (delivered elsewhere or expired)", hook.deliveryId());
        }
    }

    private void count(DueHook hook, DueHook.Result result, boolean registered) {
        if (registered && !removed.test(hook.kb())) { // it may have been removed while the attempt was under way
            counted(hook, result);
        }
    }

    /** A registered KB's delivery result in its meters; a retry makes the sweep look at the KB again. */
    private void counted(DueHook hook, DueHook.Result result) {
        switch (result) {
            case DELIVERED -> metrics.webhook(hook.kb(), "delivered");
            case RETRY -> {
                retried.accept(hook.kb());
                metrics.webhook(hook.kb(), "failed");
            }
            case DROPPED -> metrics.webhook(hook.kb(), "dropped");
            case UNKNOWN -> {}
        }
    }
}
