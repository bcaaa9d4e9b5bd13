package dev.kbsync.coordinator.service;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The services of a coordinator that may start before Redis answers (degraded mode): what the HTTP API and the
 * journal talk to from the start. Until the Redis-backed services are {@link #attach attached} (the engine started)
 * every call fails with 503 REDIS_UNAVAILABLE; after, each call goes to them. Thread-safe.
 */
public final class PendingServices {
    private final CoordinatorServices facade =
            new CoordinatorServices(new Leases(), new Jobs(), new Queues(), new Kbs(), new Workers());
    private volatile CoordinatorServices attached;
    private final List<Consumer<KbId>> removals = new CopyOnWriteArrayList<>();
    private final List<Runnable> unheard = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<KbId>>> listings = new CopyOnWriteArrayList<>();

    /** The services to hand out: the attached ones' behaviour once attached, 503 REDIS_UNAVAILABLE before. */
    public CoordinatorServices services() {
        return facade;
    }

    /** Every later call goes to {@code services}. */
    public void attach(CoordinatorServices services) {
        attached = Objects.requireNonNull(services, "services");
        services.kbs().whenRemoved(kb -> removals.forEach(listener -> listener.accept(kb)));
        services.kbs().whenRemovalsUnheard(() -> unheard.forEach(Runnable::run));
        services.kbs().whenListed(ids -> listings.forEach(listener -> listener.accept(ids)));
    }

    public boolean attached() {
        return attached != null;
    }

    private CoordinatorServices target() {
        CoordinatorServices services = attached;
        if (services == null) {
            throw RedisHealth.unavailable();
        }
        return services;
    }

    private <T> Future<T> call(Function<CoordinatorServices, Future<T>> call) {
        CoordinatorServices services = attached;
        return services == null ? Future.failedFuture(RedisHealth.unavailable()) : call.apply(services);
    }

    private final class Leases implements LeaseService {
        @Override
        public Future<Lease> request(KbId kb, String holder, Duration ttl, String requester) {
            return call(s -> s.leases().request(kb, holder, ttl, requester));
        }

        @Override
        public Future<Lease> get(String leaseId) {
            return call(s -> s.leases().get(leaseId));
        }

        @Override
        public Future<String> requester(String leaseId) {
            return call(s -> s.leases().requester(leaseId));
        }

        @Override
        public Future<Lease> heartbeat(String leaseId, Optional<String> doing, String requester) {
            return call(s -> s.leases().heartbeat(leaseId, doing, requester));
        }

        @Override
        public KeepAlive keepAlive(String leaseId, Runnable onLost) {
            CoordinatorServices services = attached;
            return services == null ? KeepAlive.NONE : services.leases().keepAlive(leaseId, onLost);
        }

        @Override
        public Future<Lease> release(String leaseId, String requester) {
            return call(s -> s.leases().release(leaseId, requester));
        }

        @Override
        public Future<Void> forceRelease(KbId kb) {
            return call(s -> s.leases().forceRelease(kb));
        }
    }

    private final class Jobs implements JobService {
        @Override
        public Future<Accepted> submit(Submission submission) {
            return call(s -> s.jobs().submit(submission));
        }

        @Override
        public Future<Job> get(String jobId) {
            return call(s -> s.jobs().get(jobId));
        }

        @Override
        public Future<Job> restore(Job accepted, Optional<String> idempotencyKey, String submitter, Restoration how) {
            return call(s -> s.jobs().restore(accepted, idempotencyKey, submitter, how));
        }

        @Override
        public Future<Void> raiseFence(KbId kb, long atLeast) {
            return call(s -> s.jobs().raiseFence(kb, atLeast));
        }

        @Override
        public Future<Optional<Assignment>> poll(
                String workerId, Duration wait, Set<JobKind> kinds, long arrivedNanos) {
            return call(s -> s.jobs().poll(workerId, wait, kinds, arrivedNanos));
        }

        @Override
        public Future<Void> endPolls(String workerId) {
            return call(s -> s.jobs().endPolls(workerId));
        }

        @Override
        public Future<Boolean> giveBack(String workerId, Assignment assignment) {
            return call(s -> s.jobs().giveBack(workerId, assignment));
        }

        @Override
        public Future<Boolean> giveBack(String workerId, String leaseId) {
            return call(s -> s.jobs().giveBack(workerId, leaseId));
        }

        @Override
        public Future<List<Assignment>> extend(String leaseId, int max, BooleanSupplier unanswerable) {
            return call(s -> s.jobs().extend(leaseId, max, unanswerable));
        }

        @Override
        public Future<Job> cancel(String jobId, Optional<String> submitter) {
            return call(s -> s.jobs().cancel(jobId, submitter));
        }

        @Override
        public Future<JobPage> list(JobListQuery query) {
            return call(s -> s.jobs().list(query));
        }

        @Override
        public Future<Job> retryable(String jobId, Optional<String> submitter, Predicate<Job> visible) {
            return call(s -> s.jobs().retryable(jobId, submitter, visible));
        }

        @Override
        public Future<Job> complete(String jobId, JobOutcome outcome) {
            return call(s -> s.jobs().complete(jobId, outcome));
        }
    }

    private final class Queues implements QueueService {
        @Override
        public Future<QueueSnapshot> snapshot(KbId kb) {
            return call(s -> s.queues().snapshot(kb));
        }

        @Override
        public Future<List<QueueSnapshot>> all() {
            return call(s -> s.queues().all());
        }

        @Override
        public Future<RecentJobs> recent(KbId kb) {
            return call(s -> s.queues().recent(kb));
        }

        /** The engine's watchers; throws 503 REDIS_UNAVAILABLE before it started (no stream is open before). */
        @Override
        public Watchers watchers() {
            return target().queues().watchers();
        }
    }

    private final class Kbs implements KbRegistry {
        @Override
        public Future<KbConfig> register(KbConfig kb) {
            return call(s -> s.kbs().register(kb));
        }

        @Override
        public Future<KbRegistration> register(KbConfig kb, KbQuota quota) {
            return call(s -> s.kbs().register(kb, quota));
        }

        @Override
        public Future<Optional<KbConfig>> get(KbId id) {
            return call(s -> s.kbs().get(id));
        }

        @Override
        public Future<List<KbConfig>> list() {
            return call(s -> s.kbs().list());
        }

        @Override
        public Future<KbRemoval> remove(KbId id) {
            return call(s -> s.kbs().remove(id));
        }

        /** Kept here: heard from the services attached now and later. */
        @Override
        public void whenRemoved(Consumer<KbId> onRemoved) {
            removals.add(onRemoved);
        }

        /** Kept here, as {@link #whenRemoved}. */
        @Override
        public void whenRemovalsUnheard(Runnable onUnheard) {
            unheard.add(onUnheard);
        }

        /** Kept here, as {@link #whenRemoved}. */
        @Override
        public void whenListed(Consumer<List<KbId>> onListed) {
            listings.add(onListed);
        }
    }

    private final class Workers implements WorkerRegistry {
        @Override
        public Future<Worker> renew(String workerId, WorkerPresence presence) {
            return call(s -> s.workers().renew(workerId, presence));
        }

        @Override
        public Future<List<Worker>> list() {
            return call(s -> s.workers().list());
        }

        @Override
        public Future<Boolean> noAgentWorker() {
            return call(s -> s.workers().noAgentWorker());
        }
    }
}
