package dev.kbsync.coordinator.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.error.CoordinatorException;
import dev.kbsync.coordinator.service.CoordinatorServices;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What the contract suites do again and again, through the service interfaces only, from plain test threads. */
final class Contracts {
    private Contracts() {}

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps a waiting raw lease alive (heartbeat every 200 ms, as a client does) until it is granted. */
    static Lease granted(CoordinatorServices services, Lease lease, LongConsumer onAhead) {
        Lease current = lease;
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (current.state() != LeaseState.GRANTED) {
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("not granted within 20 s: " + current);
            }
            onAhead.accept(current.ahead());
            sleep(200);
            current = await(services.leases().heartbeat(lease.id()));
        }
        return current;
    }

    /**
     * Heartbeats {@code leaseIds} every 200 ms on a thread of its own until closed, as their holders would (a worker
     * beats its job's lease, a client its waiting raw lease): a test that holds them across several steps does not
     * lose them to the contract's 1 s TTL on a loaded machine. A beat that fails (the lease ended) is not repeated.
     */
    static AutoCloseable keepingAlive(CoordinatorServices services, String... leaseIds) {
        java.util.concurrent.ScheduledExecutorService beats =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.Set<String> alive = java.util.concurrent.ConcurrentHashMap.newKeySet();
        alive.addAll(List.of(leaseIds));
        beats.scheduleWithFixedDelay(
                () -> alive.forEach(id -> services.leases().heartbeat(id).onFailure(e -> alive.remove(id))),
                200,
                200,
                TimeUnit.MILLISECONDS);
        return beats::shutdownNow;
    }

    static Lease granted(CoordinatorServices services, Lease lease) {
        return granted(services, lease, ahead -> {});
    }

    /** The next assignment of {@code kb} (others' jobs are not expected while a contract test runs). */
    static Assignment poll(CoordinatorServices services, KbId kb) {
        Assignment a = await(services.jobs().poll("contract-worker", Duration.ofSeconds(10)))
                .orElseThrow(() -> new AssertionError("no job of " + kb + " within 10 s"));
        if (!a.kb().id().equals(kb)) {
            throw new AssertionError("expected a job of " + kb + ", got one of " + a.kb().id());
        }
        return a;
    }

    static Optional<Assignment> pollBriefly(CoordinatorServices services) {
        return await(services.jobs().poll("contract-worker", Duration.ofMillis(700)));
    }

    static JobOutcome done(Assignment a) {
        return new JobOutcome.Done(a.lease().id(), "c0mm17", List.of(), 0);
    }

    static JobOutcome failed(Assignment a) {
        return new JobOutcome.Failed(a.lease().id(), new JobError("PUSH_REJECTED", "gave up"), 1);
    }

    static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }

    /** The call fails with an expected failure (a service's or bad input) of {@code code}. */
    static void fails(String code, ThrowingCallable call) {
        assertThatThrownBy(call).satisfies(e -> assertThat(codeOf(e)).isEqualTo(code));
    }

    private static String codeOf(Throwable e) {
        if (e instanceof CoordinatorException c) {
            return c.code();
        }
        return e instanceof InvalidInputException i ? i.code() : e.toString();
    }

    /** Runs each task on a thread of its own and waits for all; the first failure is rethrown. */
    static void parallel(List<Runnable> tasks) {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (Runnable task : tasks) {
            Thread thread = new Thread(() -> {
                try {
                    task.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a parallel task failed", failures.get(0));
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
