package dev.kbsync.coordinator.http;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.ServicesFactory;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.Accepted;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.KbQuota;
import dev.kbsync.coordinator.service.KbRegistration;
import dev.kbsync.coordinator.service.KbRegistry;
import dev.kbsync.coordinator.service.KbRemoval;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Restoration;
import dev.kbsync.coordinator.service.Submission;
import dev.kbsync.coordinator.service.WorkerRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The real Redis engine's services behind counters, so HTTP tests can prove that a rejected request reached no
 * service ({@link #calls}: every call that could change state), count heartbeats ({@link #heartbeats}) and the
 * leases event streams keep alive now ({@link #keptAlive}, and ever: {@link #keepAlivesBegun}) and the long-poll wait the HTTP layer passed ({@link #lastPollWait}). Injected faults: a
 * submit to KB {@code boom} fails with an unexpected exception (the masked 500), and so does every read of a lease of
 * KB {@code boom}; the next {@link #unavailableReleases} lease releases fail as if Redis did not answer; a lease request
 * to KB {@code late-answer} completes {@link #lateAnswer} late, and a read of a lease of KB {@code late-read}
 * {@link #lateRead} late (a stale read, answered after newer events); a lease request to KB {@code throws-now} throws
 * instead of returning a future (a bug in a service).
 */
final class CountingServices {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger heartbeats = new AtomicInteger();
    final AtomicInteger keptAlive = new AtomicInteger();
    /** Every keep-alive of a lease an event stream began, closed or not. */
    final AtomicInteger keepAlivesBegun = new AtomicInteger();

    volatile Duration lastPollWait;
    /** How many of the next lease releases fail as if Redis did not answer (503 REDIS_UNAVAILABLE). */
    final AtomicInteger unavailableReleases = new AtomicInteger();
    /** The engine's own services, unwrapped, once started. */
    volatile CoordinatorServices engine;
    /** How long a lease request to KB {@code late-answer} waits after Redis answered it before it completes. */
    volatile Duration lateAnswer = Duration.ZERO;
    /** How long a read of a lease of KB {@code late-read} waits after Redis answered it before it completes. */
    volatile Duration lateRead = Duration.ZERO;
    /** The reads held back by {@link #lateRead} so far. */
    final AtomicInteger lateReads = new AtomicInteger();
    /** How long a read of a job of KB {@code late-read} waits after Redis answered it before it completes. */
    volatile Duration lateJobRead = Duration.ZERO;
    /** The job reads held back by {@link #lateJobRead} so far. */
    final AtomicInteger lateJobReads = new AtomicInteger();

    private volatile Vertx vertx;

    /** {@code answered}, completed {@code delay} after Redis answered it (an answer that comes late). */
    private <T> Future<T> late(Future<T> answered, Duration delay) {
        return answered.compose(value -> {
            Promise<T> late = Promise.promise();
            vertx.setTimer(delay.toMillis(), t -> late.complete(value));
            return late.future();
        });
    }

    ServicesFactory around(ServicesFactory engine) {
        return new ServicesFactory() {
            @Override
            public void tune(Config redisson, EngineConfig config) {
                engine.tune(redisson, config);
            }

            @Override
            public Future<Running> start(
                    Vertx vertx, RedissonClient redisson, EngineConfig config, MetricsSink metrics) {
                CountingServices.this.vertx = vertx;
                return engine.start(vertx, redisson, config, metrics)
                        .map(running -> new Running(wrap(running.services()), running.stop()));
            }
        };
    }

    private CoordinatorServices wrap(CoordinatorServices services) {
        engine = services;
        return new CoordinatorServices(
                new Leases(services.leases()),
                new Jobs(services.jobs()),
                services.queues(),
                new Kbs(services.kbs()),
                new Workers(services.workers()));
    }

    private <T> Future<T> counted(Future<T> call) {
        calls.incrementAndGet();
        return call;
    }

    private final class Jobs implements JobService {
        private final JobService real;

        Jobs(JobService real) {
            this.real = real;
        }

        @Override
        public Future<Accepted> submit(Submission submission) {
            if (submission.kb().value().equals("boom")) {
                calls.incrementAndGet();
                return Future.failedFuture(new IllegalStateException("secret internal detail"));
            }
            return counted(real.submit(submission));
        }

        @Override
        public Future<JobPage> list(JobListQuery query) {
            return counted(real.list(query));
        }

        @Override
        public Future<Job> cancel(String jobId, Optional<String> submitter) {
            return counted(real.cancel(jobId, submitter));
        }

        @Override
        public Future<Job> get(String jobId) {
            Future<Job> read = real.get(jobId);
            if (!jobId.startsWith("late-read~") || lateJobRead.isZero()) {
                return read;
            }
            lateJobReads.incrementAndGet();
            return late(read, lateJobRead);
        }

        @Override
        public Future<Job> retryable(String jobId, Optional<String> submitter, Predicate<Job> visible) {
            return real.retryable(jobId, submitter, visible);
        }

        @Override
        public Future<Job> restore(Job accepted, Optional<String> key, String submitter, Restoration how) {
            return real.restore(accepted, key, submitter, how);
        }

        @Override
        public Future<Void> raiseFence(KbId kb, long atLeast) {
            return real.raiseFence(kb, atLeast);
        }

        @Override
        public Future<Optional<Assignment>> poll(
                String workerId, Duration wait, Set<JobKind> kinds, long arrivedNanos) {
            lastPollWait = wait;
            return counted(real.poll(workerId, wait, kinds, arrivedNanos));
        }

        @Override
        public Future<Void> endPolls(String workerId) {
            return real.endPolls(workerId);
        }

        @Override
        public Future<Boolean> giveBack(String workerId, Assignment assignment) {
            return real.giveBack(workerId, assignment);
        }

        @Override
        public Future<Boolean> giveBack(String workerId, String leaseId) {
            return counted(real.giveBack(workerId, leaseId));
        }

        @Override
        public Future<List<Assignment>> extend(String leaseId, int max, BooleanSupplier unanswerable) {
            return counted(real.extend(leaseId, max, unanswerable));
        }

        @Override
        public Future<Job> complete(String jobId, JobOutcome outcome) {
            return counted(real.complete(jobId, outcome));
        }
    }

    private final class Leases implements LeaseService {
        private final LeaseService real;

        Leases(LeaseService real) {
            this.real = real;
        }

        @Override
        public Future<Lease> request(KbId kb, String holder, Duration ttl, String requester) {
            if (kb.value().equals("throws-now")) {
                throw new IllegalStateException("secret internal detail");
            }
            Future<Lease> requested = counted(real.request(kb, holder, ttl, requester));
            if (!kb.value().equals("late-answer") || lateAnswer.isZero()) {
                return requested;
            }
            return late(requested, lateAnswer);
        }

        @Override
        public Future<String> requester(String leaseId) {
            return real.requester(leaseId);
        }

        @Override
        public Future<Lease> get(String leaseId) {
            if (leaseId.startsWith("boom~")) {
                return Future.failedFuture(new IllegalStateException("secret internal detail"));
            }
            Future<Lease> read = real.get(leaseId);
            if (!leaseId.startsWith("late-read~") || lateRead.isZero()) {
                return read;
            }
            lateReads.incrementAndGet();
            return late(read, lateRead);
        }

        @Override
        public Future<Lease> heartbeat(String leaseId, Optional<String> doing, String requester) {
            heartbeats.incrementAndGet();
            return real.heartbeat(leaseId, doing, requester);
        }

        @Override
        public KeepAlive keepAlive(String leaseId, Runnable onLost) {
            keptAlive.incrementAndGet();
            keepAlivesBegun.incrementAndGet();
            KeepAlive kept = real.keepAlive(leaseId, onLost);
            AtomicBoolean closed = new AtomicBoolean();
            return () -> {
                if (closed.compareAndSet(false, true)) {
                    keptAlive.decrementAndGet();
                }
                kept.close();
            };
        }

        @Override
        public Future<Lease> release(String leaseId, String requester) {
            if (unavailableReleases.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return Future.failedFuture(RedisHealth.unavailable());
            }
            return counted(real.release(leaseId, requester));
        }

        @Override
        public Future<Void> forceRelease(KbId kb) {
            return counted(real.forceRelease(kb));
        }
    }

    private final class Kbs implements KbRegistry {
        private final KbRegistry real;

        Kbs(KbRegistry real) {
            this.real = real;
        }

        @Override
        public Future<KbConfig> register(KbConfig kb) {
            return counted(real.register(kb));
        }

        @Override
        public Future<KbRegistration> register(KbConfig kb, KbQuota quota) {
            return counted(real.register(kb, quota));
        }

        @Override
        public Future<Optional<KbConfig>> get(KbId id) {
            return real.get(id);
        }

        @Override
        public Future<List<KbConfig>> list() {
            return real.list();
        }

        @Override
        public Future<KbRemoval> remove(KbId id) {
            return counted(real.remove(id));
        }

        @Override
        public void whenRemoved(Consumer<KbId> onRemoved) {
            real.whenRemoved(onRemoved);
        }

        @Override
        public void whenRemovalsUnheard(Runnable onUnheard) {
            real.whenRemovalsUnheard(onUnheard);
        }

        @Override
        public void whenListed(Consumer<List<KbId>> onListed) {
            real.whenListed(onListed);
        }
    }

    private final class Workers implements WorkerRegistry {
        private final WorkerRegistry real;

        Workers(WorkerRegistry real) {
            this.real = real;
        }

        @Override
        public Future<Worker> renew(String workerId, WorkerPresence presence) {
            return counted(real.renew(workerId, presence));
        }

        @Override
        public Future<List<Worker>> list() {
            return real.list();
        }

        @Override
        public Future<Boolean> noAgentWorker() {
            return real.noAgentWorker();
        }
    }
}
