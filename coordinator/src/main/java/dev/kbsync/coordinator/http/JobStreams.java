package dev.kbsync.coordinator.http;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One event stream for many jobs: {@code GET /v1/events?job=a,b,c} (the listed jobs' current states, then their
 * events; it ends once every one of them has ended) or {@code ?user=u} (the user's queued and running jobs, then every
 * event of the user's jobs in the caller's KBs, new ones included; it never ends by itself). Job events of every KB
 * reach it through {@link QueueAddresses#JOBS}.
 */
final class JobStreams {
    private final CoordinatorServices services;
    private final Duration keepAlive;

    private final Optional<DegradedMode> degraded;

    JobStreams(CoordinatorServices services, Duration keepAlive, Optional<DegradedMode> degraded) {
        this.degraded = degraded;
        this.services = services;
        this.keepAlive = keepAlive;
    }

    /** Serves a job stream's query ({@link EventsQuery.Jobs} or {@link EventsQuery.User}), read before the gate. */
    void handle(RoutingContext ctx, EventsQuery query) {
        if (query instanceof EventsQuery.Jobs jobs) {
            jobs(ctx, jobs.ids());
        } else if (query instanceof EventsQuery.User user) {
            user(ctx, user.user());
        }
    }

    /** The listed jobs (each must be the caller's, else 404 JOB_NOT_FOUND), until each has ended. */
    private void jobs(RoutingContext ctx, List<String> ids) {
        Caller caller = Caller.of(ctx);
        for (String id : ids) { // a job still in this coordinator's journal has no stream yet: 503, retry
            JobRoutes.visible(degraded.flatMap(d -> d.job(id)), caller).ifPresent(job -> {
                throw JobRoutes.restoring(job);
            });
        }
        List<Future<Job>> found = ids.stream()
                .map(id -> JobRoutes.visibleJob(services, caller, id))
                .toList();
        Future.all(found).onFailure(ctx::fail).onSuccess(all -> {
            List<Watchers.Watch> watches = found.stream()
                    .map(f -> f.result().kb())
                    .distinct()
                    .map(kb -> services.queues().watchers().kb(kb))
                    .toList();
            // a journal job's id restored onto the first job of its idempotency key follows that job
            List<String> followed =
                    found.stream().map(f -> f.result().id()).distinct().toList();
            Set<String> wanted = Set.copyOf(followed);
            Set<String> pending = new HashSet<>(followed);
            Sse.relay(
                    ctx,
                    keepAlive,
                    watches,
                    QueueAddresses.JOBS,
                    () -> current(followed),
                    event -> event instanceof JobEvent e
                            && wanted.contains(e.job().id()),
                    event -> {
                        if (event.last()) {
                            pending.remove(((JobEvent) event).job().id());
                        }
                        return pending.isEmpty();
                    });
        });
    }

    private Future<List<KbsyncEvent>> current(List<String> ids) {
        List<Future<Job>> reads =
                ids.stream().map(id -> services.jobs().get(id)).toList();
        return Future.all(reads)
                .map(all -> reads.stream()
                        .<KbsyncEvent>map(f -> new JobEvent.State(f.result()))
                        .toList());
    }

    /** The user's jobs in the caller's KBs (403 SCOPE_USER for a user outside its users); never ends by itself. */
    private void user(RoutingContext ctx, String user) {
        Caller caller = Caller.of(ctx);
        caller.checkUser(user, "follow the jobs of");
        Sse.relay(
                ctx,
                keepAlive,
                List.of(services.queues().watchers().all()),
                QueueAddresses.JOBS,
                () -> open(caller, user),
                event -> event instanceof JobEvent e
                        && e.job().user().equals(user)
                        && caller.mayUse(e.job().kb().value()),
                event -> false);
    }

    /** The user's queued and running jobs (the most recent page of each: lists read newest first), oldest first. */
    private Future<List<KbsyncEvent>> open(Caller caller, String user) {
        return services.kbs().list().compose(kbs -> {
            List<KbId> mine = kbs.stream()
                    .map(KbConfig::id)
                    .filter(kb -> caller.mayUse(kb.value()))
                    .toList();
            List<Future<List<Job>>> pages = new ArrayList<>();
            for (JobState state : List.of(JobState.QUEUED, JobState.RUNNING)) {
                pages.add(services.jobs()
                        .list(new JobListQuery(
                                mine,
                                Optional.of(user),
                                Optional.of(state),
                                JobListQuery.MAX_LIMIT,
                                Optional.empty(),
                                List.of()))
                        .map(page -> page.jobs()));
            }
            return Future.all(pages)
                    .map(all -> pages.stream()
                            .flatMap(f -> f.result().stream())
                            .sorted(Comparator.comparing(Job::createdAt))
                            .<KbsyncEvent>map(JobEvent.State::new)
                            .toList());
        });
    }
}
