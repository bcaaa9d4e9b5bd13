package dev.kbsync.coordinator.http;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.Job;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.KbOverview;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.api.event.KbRemovedEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.config.Check;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.config.KbValidation;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.ForbiddenException;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.KbQuota;
import dev.kbsync.coordinator.service.KbRegistration;
import dev.kbsync.coordinator.service.QueueAddresses;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** KB registration, queue snapshots, recently finished jobs, and the snapshot streams the dashboard listens to. */
final class QueueRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(QueueRoutes.class);

    private final CoordinatorServices services;

    private final Duration keepAlive;
    private final JobStreams jobStreams;

    private final Optional<DegradedMode> degraded;
    private final Consumer<KbConfig> registered;
    private final int scopedAdminMaxKbs;

    /**
     * {@code registered}: told of each KB registered here (the reads drop what they knew of it); a scoped admin
     * registers a new KB only while fewer than {@code scopedAdminMaxKbs} KBs of its scope are registered.
     */
    QueueRoutes(
            CoordinatorServices services,
            Duration keepAlive,
            Optional<DegradedMode> degraded,
            Consumer<KbConfig> registered,
            int scopedAdminMaxKbs) {
        this.registered = registered;
        this.scopedAdminMaxKbs = scopedAdminMaxKbs;
        this.keepAlive = keepAlive;
        this.degraded = degraded;
        this.jobStreams = new JobStreams(services, keepAlive, degraded);
        this.services = services;
    }

    /** The caller's KBs only. */
    void handleListKbs(RoutingContext ctx) {
        Caller caller = Caller.of(ctx);
        services.kbs()
                .list()
                .compose(kbs -> services.queues()
                        .all()
                        .map(queues -> new KbOverview(
                                kbs.stream()
                                        .filter(kb -> caller.mayUse(kb.id().value()))
                                        .toList(),
                                queues.stream()
                                        .filter(q -> caller.mayUse(q.kb().value()))
                                        .toList())))
                .onSuccess(overview -> Responses.ok(ctx, overview.toJson()))
                .onFailure(ctx::fail);
    }

    void handleQueue(RoutingContext ctx) {
        services.queues()
                .snapshot(KbId.of(ctx.pathParam("kb")))
                .onSuccess(s -> Responses.ok(ctx, s.toJson()))
                .onFailure(ctx::fail);
    }

    /** The KB's recent jobs: a users-scoped caller's users' only (each is the whole record, its text included). */
    void handleRecent(RoutingContext ctx) {
        Caller caller = Caller.of(ctx);
        services.queues()
                .recent(KbId.of(ctx.pathParam("kb")))
                .onSuccess(r -> Responses.ok(
                        ctx, new RecentJobs(r.kb(), seen(caller, r.jobs()), seen(caller, r.failures())).toJson()))
                .onFailure(ctx::fail);
    }

    private static List<Job> seen(Caller caller, List<Job> jobs) {
        return jobs.stream()
                .filter(job -> caller.sees(job.kb().value(), job.user()))
                .toList();
    }

    /** {@code PUT /v1/kbs/{kb}}: the registration is read and checked (also its caller's right to it) before Redis. */
    Checked<KbConfig> putKb() {
        return new Checked<>(QueueRoutes::kbToRegister, this::handlePutKb);
    }

    private static KbConfig kbToRegister(RoutingContext ctx) {
        String id = ctx.pathParam("kb");
        KbId.of(id);
        Fields body = Bodies.object(ctx, "remote", "branch", "notePath", "credentials", "dedupeWindowSeconds");
        KbConfig kb = KbValidation.kb(
                id,
                body.string("remote"),
                body.string("branch"),
                body.optString("notePath").orElse(null),
                body.optJson("credentials").map(CredentialRef::fromJson),
                body.optLong("dedupeWindowSeconds").orElse(0L));
        Caller caller = Caller.of(ctx);
        if (KbValidation.local(kb.remote()) && !caller.unscoped()) {
            throw new ForbiddenException(
                    "LOCAL_REMOTE_FORBIDDEN",
                    "token " + caller.name() + " is scoped: only an unscoped admin token may register a local path or"
                            + " file:// remote (any repository on the coordinator's and workers' hosts); give the"
                            + " repository's https:// or ssh:// URL");
        }
        return kb;
    }

    private void handlePutKb(RoutingContext ctx, KbConfig kb) {
        Caller caller = Caller.of(ctx);
        register(kb, caller)
                .onSuccess(k -> LOG.info(
                        "KB {} registered by {}: remote {}, branch {}",
                        k.id().value(),
                        caller.name(),
                        Check.masked(k.remote()),
                        k.branch()))
                .onSuccess(k -> degraded.ifPresent(d -> d.known(k)))
                .onSuccess(registered::accept)
                .onSuccess(k -> Responses.ok(ctx, k.toJson()))
                .onFailure(ctx::fail);
    }

    /** An unscoped admin's registration, or a scoped one's within its scope's bound (409 SCOPE_KB_LIMIT past it). */
    private Future<KbConfig> register(KbConfig kb, Caller caller) {
        if (caller.unscoped()) {
            return services.kbs().register(kb);
        }
        return services.kbs()
                .register(kb, new KbQuota(caller.kbs().patterns(), scopedAdminMaxKbs))
                .compose(outcome -> {
                    if (outcome instanceof KbRegistration.Registered registered) {
                        return Future.succeededFuture(registered.kb());
                    }
                    KbRegistration.OverQuota over = (KbRegistration.OverQuota) outcome;
                    return Future.failedFuture(new ConflictException(
                            "SCOPE_KB_LIMIT",
                            "token " + caller.name() + " may register no more KBs: its scope (" + caller.kbs()
                                    + ") holds " + over.count() + " KBs, the most a scoped admin registers"
                                    + " (auth.scopedAdminMaxKbs " + over.max() + "); remove one, or ask an"
                                    + " unscoped admin"));
                });
    }

    /** The KB's snapshots; it ends with {@code kb-removed} when the KB is removed (here or on another coordinator). */
    void handleKbEvents(RoutingContext ctx) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        Sse.relay(
                ctx,
                keepAlive,
                List.of(services.queues().watchers().kb(kb)),
                QueueAddresses.kb(kb),
                () -> services.queues().snapshot(kb).map(s -> List.of(new SnapshotEvent(s))),
                event -> true,
                event -> event instanceof KbRemovedEvent);
    }

    /**
     * {@code GET /v1/events}, its query ({@link EventsQuery}) read before the Redis gate: snapshots of the caller's KBs
     * only, and their removals; with {@code ?job=} or {@code ?user=}, job events ({@link JobStreams}).
     */
    Checked<EventsQuery> allEvents() {
        return Checked.query(ctx -> EventsQuery.parse(ctx.queryParams()), this::handleAllEvents);
    }

    private void handleAllEvents(RoutingContext ctx, EventsQuery query) {
        if (!(query instanceof EventsQuery.Snapshots)) {
            jobStreams.handle(ctx, query);
            return;
        }
        Caller caller = Caller.of(ctx);
        Sse.relay(
                ctx,
                keepAlive,
                services.queues().watchers().all(),
                QueueAddresses.ALL,
                () -> services.queues()
                        .all()
                        .map(all -> all.stream()
                                .<KbsyncEvent>map(SnapshotEvent::new)
                                .toList()),
                event -> (event instanceof SnapshotEvent s
                                && caller.mayUse(s.snapshot().kb().value()))
                        || (event instanceof KbRemovedEvent r && caller.mayUse(r.kb().value())));
    }
}
