package dev.kbsync.coordinator.http;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.ServicesFactory;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.KbRegistry;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.LocalEventCodec;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.QueueService;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST STAND-IN for the Redis engine (built separately): just enough in-memory behaviour to exercise the HTTP layer.
 * It counts every service call so tests can prove that rejected requests reached no service. KB {@code boom} fails
 * with an unexpected exception (for the masked 500). Not thread-safe beyond one event loop; tests only.
 */
final class InMemoryServices {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger heartbeats = new AtomicInteger();
    volatile Duration lastPollWait;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, String> idempotency = new ConcurrentHashMap<>();
    private final Map<KbId, KbConfig> kbs = new ConcurrentHashMap<>();
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private final Deque<Assignment> ready = new ArrayDeque<>();
    private final AtomicInteger ids = new AtomicInteger();
    private Vertx vertx;

    private static boolean active(Lease l) {
        return l.state() == LeaseState.GRANTED || l.state() == LeaseState.WAITING;
    }

    CoordinatorServices services() {
        return new CoordinatorServices(new Leases(), new Jobs(), new Queues(), new Kbs());
    }

    ServicesFactory factory() {
        return (vertx, redisson, config, metrics) -> {
            this.vertx = vertx;
            LocalEventCodec.registerOn(vertx.eventBus());
            return Future.succeededFuture(new ServicesFactory.Running(services(), Future::succeededFuture));
        };
    }

    /** Publishes a job event as the engine would. */
    void publishJob(JobEvent event) {
        vertx.eventBus().publish(QueueAddresses.job(event.job().id()), event);
    }

    Job job(String id) {
        return jobs.get(id);
    }

    final class Jobs implements JobService {
        @Override
        public Future<Job> submit(KbId kb, String user, JobPayload payload, Optional<String> key) {
            calls.incrementAndGet();
            if (kb.value().equals("boom")) {
                return Future.failedFuture(new IllegalStateException("secret internal detail"));
            }
            String existing = key.map(k -> idempotency.get(user + "/" + k)).orElse(null);
            if (existing != null) {
                return Future.succeededFuture(jobs.get(existing));
            }
            String id = "job-" + ids.incrementAndGet();
            Job job = new Job(
                    id,
                    kb,
                    user,
                    payload,
                    JobState.QUEUED,
                    ready.size(),
                    0,
                    null,
                    null,
                    List.of(),
                    null,
                    0,
                    Instant.now(),
                    null,
                    null);
            jobs.put(id, job);
            key.ifPresent(k -> idempotency.put(user + "/" + k, id));
            Lease lease = new Lease(
                    "lease-" + id,
                    kb,
                    "job:" + id,
                    LeaseState.GRANTED,
                    0,
                    7L,
                    id,
                    Instant.now(),
                    Instant.now().plusSeconds(30),
                    30_000);
            leases.put(lease.id(), lease);
            ready.add(new Assignment(lease, job, kbs.get(kb)));
            return Future.succeededFuture(job);
        }

        @Override
        public Future<Job> get(String jobId) {
            Job job = jobs.get(jobId);
            return job == null
                    ? Future.failedFuture(new NotFoundException("JOB_NOT_FOUND", "no job " + jobId))
                    : Future.succeededFuture(job);
        }

        @Override
        public Future<Optional<Assignment>> poll(String workerId, Duration wait) {
            calls.incrementAndGet();
            lastPollWait = wait;
            if (!ready.isEmpty() || wait.isZero()) {
                return Future.succeededFuture(Optional.ofNullable(ready.poll()));
            }
            Promise<Optional<Assignment>> promise = Promise.promise();
            vertx.setTimer(wait.toMillis(), t -> promise.complete(Optional.ofNullable(ready.poll())));
            return promise.future();
        }

        @Override
        public Future<List<Assignment>> extend(String leaseId, int max) {
            calls.incrementAndGet();
            if (!leases.containsKey(leaseId)) {
                return Future.failedFuture(new ConflictException("LEASE_LOST", "lease is not current"));
            }
            List<Assignment> taken = new ArrayList<>();
            while (taken.size() < max && !ready.isEmpty()) {
                taken.add(ready.poll());
            }
            return Future.succeededFuture(taken);
        }

        @Override
        public Future<Job> complete(String jobId, JobOutcome outcome) {
            calls.incrementAndGet();
            Job job = jobs.get(jobId);
            if (job == null) {
                return Future.failedFuture(new NotFoundException("JOB_NOT_FOUND", "no job " + jobId));
            }
            if (!outcome.leaseId().equals("lease-" + jobId)) {
                return Future.failedFuture(new ConflictException("LEASE_LOST", "lease is not this job's"));
            }
            Job finished = outcome instanceof JobOutcome.Done d
                    ? with(job, JobState.DONE, d.commit(), d.files(), null)
                    : with(job, JobState.FAILED, null, List.of(), ((JobOutcome.Failed) outcome).error());
            jobs.put(jobId, finished);
            publishJob(new JobEvent.State(finished));
            return Future.succeededFuture(finished);
        }
    }

    private static Job with(
            Job j,
            JobState state,
            String commit,
            List<dev.kbsync.api.FileChange> files,
            dev.kbsync.api.JobError error) {
        return new Job(
                j.id(),
                j.kb(),
                j.user(),
                j.payload(),
                state,
                0,
                0,
                7L,
                commit,
                files,
                error,
                1,
                j.createdAt(),
                j.createdAt(),
                Instant.now());
    }

    final class Leases implements LeaseService {
        @Override
        public Future<Lease> request(KbId kb, String holder, Duration ttl) {
            calls.incrementAndGet();
            long ahead = leases.values().stream()
                    .filter(l -> l.kb().equals(kb) && l.jobId() == null && active(l))
                    .count();
            String id = "raw-" + ids.incrementAndGet();
            Lease lease = ahead == 0
                    ? new Lease(
                            id,
                            kb,
                            holder,
                            LeaseState.GRANTED,
                            0,
                            1L,
                            null,
                            Instant.now(),
                            Instant.now().plus(ttl),
                            ttl.toMillis())
                    : new Lease(id, kb, holder, LeaseState.WAITING, ahead, null, null, null, null, ttl.toMillis());
            leases.put(id, lease);
            return Future.succeededFuture(lease);
        }

        @Override
        public Future<Lease> get(String leaseId) {
            Lease lease = leases.get(leaseId);
            return lease == null
                    ? Future.failedFuture(new NotFoundException("LEASE_NOT_FOUND", "no lease " + leaseId))
                    : Future.succeededFuture(lease);
        }

        @Override
        public Future<Lease> heartbeat(String leaseId) {
            heartbeats.incrementAndGet();
            return get(leaseId)
                    .compose(l -> active(l)
                            ? Future.succeededFuture(l)
                            : Future.failedFuture(new ConflictException(
                                    "LEASE_LOST",
                                    "lease " + leaseId + " is " + l.state().wire())));
        }

        @Override
        public Future<Void> keepAlive(String leaseId) {
            return heartbeat(leaseId).mapEmpty();
        }

        @Override
        public Future<Lease> release(String leaseId) {
            calls.incrementAndGet();
            return get(leaseId).map(l -> {
                Lease released = new Lease(
                        l.id(),
                        l.kb(),
                        l.holder(),
                        LeaseState.RELEASED,
                        0,
                        l.fencingToken(),
                        l.jobId(),
                        l.grantedAt(),
                        l.expiresAt(),
                        l.ttlMs());
                leases.put(leaseId, released);
                vertx.eventBus().publish(QueueAddresses.lease(leaseId), new LeaseEvent.State(released));
                return released;
            });
        }

        @Override
        public Future<Void> forceRelease(KbId kb) {
            calls.incrementAndGet();
            if (!kbs.containsKey(kb)) {
                return Future.failedFuture(new NotFoundException("KB_NOT_FOUND", "no KB " + kb));
            }
            leases.values().stream()
                    .filter(l -> l.kb().equals(kb) && l.state() == LeaseState.GRANTED)
                    .forEach(l -> release(l.id()));
            return Future.succeededFuture();
        }
    }

    final class Queues implements QueueService {
        private final Watchers watchers = new Watchers();

        @Override
        public Watchers watchers() {
            return watchers;
        }

        @Override
        public Future<QueueSnapshot> snapshot(KbId kb) {
            if (!kbs.containsKey(kb)) {
                return Future.failedFuture(new NotFoundException("KB_NOT_FOUND", "no KB " + kb));
            }
            List<QueueEntry> waiters = new ArrayList<>();
            Optional<QueueEntry> holder = Optional.empty();
            for (Lease l : leases.values()) {
                if (l.kb().equals(kb) && l.jobId() == null && active(l)) {
                    QueueEntry entry =
                            new QueueEntry(l.id(), "lease", l.holder(), null, Instant.now(), 0, l.fencingToken());
                    if (l.state() == LeaseState.GRANTED) {
                        holder = Optional.of(entry);
                    } else {
                        waiters.add(entry);
                    }
                }
            }
            return Future.succeededFuture(new QueueSnapshot(kb, holder, List.of(), waiters, 0));
        }

        @Override
        public Future<List<QueueSnapshot>> all() {
            return Future.all(kbs.keySet().stream().map(this::snapshot).toList())
                    .map(c -> c.<QueueSnapshot>list());
        }
    }

    final class Kbs implements KbRegistry {
        @Override
        public Future<KbConfig> register(KbConfig kb) {
            calls.incrementAndGet();
            kbs.put(kb.id(), kb);
            return Future.succeededFuture(kb);
        }

        @Override
        public Future<Optional<KbConfig>> get(KbId id) {
            return Future.succeededFuture(Optional.ofNullable(kbs.get(id)));
        }

        @Override
        public Future<List<KbConfig>> list() {
            return Future.succeededFuture(List.copyOf(kbs.values()));
        }
    }

    /** Publishes the KB's snapshot on its address and on the all-KBs address, as the engine does on every change. */
    void publishSnapshot(KbId kb) {
        new Queues().snapshot(kb).onSuccess(s -> {
            vertx.eventBus().publish(QueueAddresses.kb(kb), new SnapshotEvent(s));
            vertx.eventBus().publish(QueueAddresses.ALL, new SnapshotEvent(s));
        });
    }
}
