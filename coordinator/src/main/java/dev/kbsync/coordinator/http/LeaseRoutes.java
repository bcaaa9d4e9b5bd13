package dev.kbsync.coordinator.http;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.auth.Role;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.error.ForbiddenException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.ChannelGauges;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Orphans;
import dev.kbsync.coordinator.service.QueueAddresses;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The raw lease API: request, read, stream (which keeps the waiter alive), heartbeat, release, force-release. */
final class LeaseRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseRoutes.class);

    private final CoordinatorServices services;
    private final Duration defaultTtl;
    private final Duration maxHold;

    private final Duration keepAlive;

    private final Optional<DegradedMode> degraded;
    private final LeaseChannel.Setup channels;

    LeaseRoutes(
            CoordinatorServices services,
            Duration defaultTtl,
            Duration maxHold,
            Duration keepAlive,
            Optional<DegradedMode> degraded,
            LeaseChannel.Bound channelBound,
            ChannelGauges channelGauges) {
        this.degraded = degraded;
        this.channels = new LeaseChannel.Setup(defaultTtl, maxHold, keepAlive, channelBound, channelGauges);
        this.keepAlive = keepAlive;
        this.services = services;
        this.defaultTtl = defaultTtl;
        this.maxHold = maxHold;
    }

    /** {@code POST /v1/kbs/{kb}/leases}. */
    Checked<LeaseAsk> request() {
        return new Checked<>(this::readRequest, this::handleRequest);
    }

    private LeaseAsk readRequest(RoutingContext ctx) {
        return LeaseAsk.read(
                KbId.of(ctx.pathParam("kb")), Bodies.object(ctx, "holder", "ttlMs", "waitMs"), defaultTtl, maxHold);
    }

    private void handleRequest(RoutingContext ctx, LeaseAsk ask) {
        Duration wait = ask.waitFor();
        services.leases()
                .request(ask.kb(), ask.holder(), ask.ttl(), Caller.of(ctx).name())
                .onSuccess(lease -> {
                    if (ctx.response().ended() || ctx.response().closed()) {
                        orphans(ctx).release(lease.id()); // answered 503 meanwhile, or the client left: nobody knows it
                    } else if (lease.state() == LeaseState.WAITING && !wait.isZero()) {
                        RedisGate.allowWait(ctx, wait);
                        LeaseWait.await(
                                LeaseWait.of(ctx, l -> requested(ctx, l)),
                                services.leases(),
                                orphans(ctx),
                                services.queues().watchers(),
                                lease,
                                wait);
                    } else {
                        requested(ctx, lease);
                    }
                })
                .onFailure(ctx::fail);
    }

    private Orphans orphans(RoutingContext ctx) {
        return new Orphans(ctx.vertx(), services.leases(), maxHold);
    }

    private static void requested(RoutingContext ctx, Lease lease) {
        ctx.response().putHeader("Location", "/v1/leases/" + lease.id());
        Responses.json(ctx, 202, lease.toJson());
    }

    void handleGet(RoutingContext ctx) {
        visibleLease(ctx)
                .compose(services.leases()::get)
                .onSuccess(l -> Responses.ok(ctx, l.toJson()))
                .onFailure(ctx::fail);
    }

    /** {@code POST /v1/leases/{id}/heartbeat}: an optional body, {@code {"doing"?}}. */
    Checked<Optional<String>> heartbeat() {
        return new Checked<>(
                ctx -> Bodies.optionalObject(ctx, "doing").optString("doing").map(Inputs::doing),
                this::handleHeartbeat,
                Checked.Body.OPTIONAL);
    }

    private void handleHeartbeat(RoutingContext ctx, Optional<String> doing) {
        String id = leaseId(ctx);
        Optional<Lease> local = degraded.flatMap(d -> d.localLease(id))
                .filter(l -> Caller.of(ctx).mayUse(l.kb().value()));
        if (local.isPresent()) { // a journal job's local lease, until the job is restored into Redis
            Responses.ok(ctx, local.get().toJson());
            return;
        }
        if (degraded.filter(DegradedMode::serving).isPresent()) { // no other lease is known without Redis
            throw RedisHealth.unavailable();
        }
        requesterFor(Caller.of(ctx), id)
                .compose(requester -> services.leases().heartbeat(id, doing, requester))
                .onSuccess(l -> Responses.ok(ctx, l.toJson()))
                .onFailure(ctx::fail);
    }

    void handleRelease(RoutingContext ctx) {
        String id = leaseId(ctx);
        requesterFor(Caller.of(ctx), id)
                .compose(requester -> services.leases().release(id, requester))
                .onSuccess(l -> Responses.ok(ctx, l.toJson()))
                .onFailure(ctx::fail);
    }

    void handleForceRelease(RoutingContext ctx) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        services.leases()
                .forceRelease(kb)
                .onSuccess(v -> LOG.info(
                        "KB {} force-released by {}", kb.value(), Caller.of(ctx).name()))
                .onSuccess(v ->
                        Responses.ok(ctx, new JsonObject().put("kb", kb.value()).put("released", true)))
                .onFailure(ctx::fail);
    }

    /**
     * Opens a lease channel (a WebSocket; {@link LeaseChannel}); a request that is not a WebSocket upgrade is
     * {@code 426 UPGRADE_REQUIRED}, and so is a HEAD (a handshake is a GET: a HEAD gets the headers of a GET without
     * the upgrade).
     */
    void handleChannel(RoutingContext ctx) {
        String upgrade = ctx.request().getHeader("Upgrade");
        boolean head = ctx.request().method().equals(HttpMethod.HEAD);
        if (head || upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            ctx.response().putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade");
            Responses.json(
                    ctx,
                    426,
                    Failures.error(
                            "UPGRADE_REQUIRED",
                            "the lease channel is a WebSocket: send an Upgrade: websocket request"));
            return;
        }
        Optional<HttpError> refused = handshakeProblem(ctx);
        if (refused.isPresent()) { // answered here, in the API's error shape: the WebSocket layer answers in plain text
            HttpError error = refused.get();
            if (error.status() == 426) {
                ctx.response().putHeader("Sec-WebSocket-Version", "13");
            }
            Responses.json(ctx, error.status(), Failures.error(error.code(), error.getMessage()));
            return;
        }
        Caller caller = Caller.of(ctx);
        ctx.request()
                .toWebSocket()
                .onSuccess(ws -> LeaseChannel.serve(
                        ctx.vertx(),
                        ws,
                        caller,
                        services.leases(),
                        services.queues().watchers(),
                        channels))
                .onFailure(ctx::fail);
    }

    /** What is wrong with a WebSocket handshake, or empty when it can go ahead. */
    private static Optional<HttpError> handshakeProblem(RoutingContext ctx) {
        String connection = ctx.request().getHeader("Connection");
        if (connection == null || !connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
            return Optional.of(new HttpError(400, "BAD_REQUEST", "a WebSocket handshake needs Connection: Upgrade"));
        }
        if (!"13".equals(ctx.request().getHeader("Sec-WebSocket-Version"))) {
            return Optional.of(new HttpError(
                    426,
                    "UPGRADE_REQUIRED",
                    "the lease channel speaks WebSocket version 13 (RFC 6455): send Sec-WebSocket-Version: 13"));
        }
        if (!nonce(ctx.request().getHeader("Sec-WebSocket-Key"))) {
            return Optional.of(new HttpError(
                    400,
                    "BAD_REQUEST",
                    "a WebSocket handshake needs a Sec-WebSocket-Key: a base64-encoded 16-byte nonce (RFC 6455)"));
        }
        return Optional.empty();
    }

    /** Whether {@code key} is a WebSocket key: 16 bytes, base64-encoded (24 characters, padding included). */
    private static boolean nonce(String key) {
        try {
            return key != null && key.length() == 24 && Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Streams the lease's position and state; while the stream is open the lease is heartbeaten every second (not for a
     * HEAD, which gets the stream's headers only and changes nothing).
     */
    void handleEvents(RoutingContext ctx) {
        followableLease(ctx).onFailure(ctx::fail).onSuccess(id -> stream(ctx, id));
    }

    private void stream(RoutingContext ctx, String id) {
        Sse sse = Sse.relay(
                ctx,
                keepAlive,
                services.queues().watchers().lease(id),
                QueueAddresses.lease(id),
                () -> services.leases().get(id).map(lease -> List.of(new LeaseEvent.State(lease))),
                event -> true);
        if (!ctx.request().method().equals(HttpMethod.HEAD)) {
            sse.onClose(services.leases().keepAlive(id)::close);
        }
    }

    /** The lease id, once it is the caller's to see ({@link #visibleLease(Caller, String)}). */
    private Future<String> visibleLease(RoutingContext ctx) {
        return visibleLease(Caller.of(ctx), leaseId(ctx));
    }

    private Future<String> followableLease(RoutingContext ctx) {
        return followableLease(services.leases(), Caller.of(ctx), leaseId(ctx));
    }

    /**
     * The lease id, once it is {@code caller}'s to see: a caller scoped to KBs gets LEASE_NOT_FOUND for a lease of a KB
     * outside its scope, as for a lease that does not exist. No read: every lease id names its KB ({@link LeaseRef}).
     */
    static Future<String> visibleLease(Caller caller, String id) {
        return LeaseRef.of(id).map(ref -> {
            if (!caller.mayUse(ref.kb().value())) {
                throw new NotFoundException("LEASE_NOT_FOUND", "no lease " + Quoting.quote(id));
            }
            return id;
        });
    }

    /**
     * The token a raw lease must have been asked for by when {@code caller} releases it or keeps it alive, once the
     * lease is the caller's to see: a client token's own name (ending another token's grant is a force-release, an
     * admin's), '' for an admin (any lease) or a worker (its heartbeat keeps any alive). The release or heartbeat
     * checks it in its own step ({@code 403 NOT_REQUESTER}); a lease no token in particular asked for is any client's.
     */
    static Future<String> requesterFor(Caller caller, String id) {
        return visibleLease(caller, id).map(visible -> caller.role() == Role.CLIENT ? caller.name() : "");
    }

    /**
     * The lease id, once {@code caller} may follow its events: as {@link #requesterFor}, checked by one read of the
     * lease's requester (a stream has no step of its own to check it in).
     */
    static Future<String> followableLease(LeaseService leases, Caller caller, String id) {
        return requesterFor(caller, id)
                .compose(requester -> requester.isEmpty()
                        ? Future.succeededFuture(id)
                        : leases.requester(id).map(asked -> {
                            if (!asked.isEmpty() && !asked.equals(requester)) {
                                throw ForbiddenException.notRequester(id);
                            }
                            return id;
                        }));
    }

    /** The path's lease id ({@code /v1/leases/:id...}), or 400 INVALID_LEASE_ID. */
    static String leaseId(RoutingContext ctx) {
        return Inputs.id("INVALID_LEASE_ID", "lease id", ctx.pathParam("id"));
    }
}
