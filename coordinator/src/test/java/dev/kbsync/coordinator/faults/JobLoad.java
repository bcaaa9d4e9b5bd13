package dev.kbsync.coordinator.faults;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.service.JobService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream of job submissions and a worker completing them. {@link #acknowledged()} holds only the jobs whose submit
 * succeeded; {@link #completions()} counts successful completions per job id; {@link #completedAt()} the times.
 */
final class JobLoad {
    private static final Duration CALL = Duration.ofSeconds(3);

    private final JobService submitTo;
    private final JobService workOn;
    private final List<KbId> kbs;
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> completions = new ConcurrentHashMap<>();
    private final List<Long> completedAt = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicBoolean stopSubmitting = new AtomicBoolean();
    private final AtomicBoolean stopWorking = new AtomicBoolean();

    JobLoad(JobService submitTo, JobService workOn, List<KbId> kbs) {
        this.submitTo = submitTo;
        this.workOn = workOn;
        this.kbs = kbs;
    }

    Runnable submitter() {
        return () -> {
            int n = 0;
            while (!stopSubmitting.get()) {
                KbId kb = kbs.get(n++ % kbs.size());
                try {
                    acknowledged.add(Node.get(
                                    submitTo.submit(
                                            kb, "ann", new JobPayload.Note("n" + n, null, null), Optional.empty()),
                                    CALL)
                            .id());
                } catch (RuntimeException notAcknowledged) {
                    refused.incrementAndGet(); // a failed submit is not counted
                }
                Holder.pause(50);
            }
        };
    }

    Runnable worker() {
        return () -> {
            while (!stopWorking.get()) {
                try {
                    Optional<Assignment> next = Node.get(workOn.poll("w", Duration.ofSeconds(1)), CALL);
                    next.ifPresent(this::complete);
                } catch (RuntimeException unreachable) {
                    Holder.pause(100);
                }
            }
        };
    }

    private void complete(Assignment a) {
        Node.get(workOn.complete(a.job().id(), new JobOutcome.Done(a.lease().id(), "c0ffee", List.of(), 0)), CALL);
        completions.merge(a.job().id(), 1, Integer::sum);
        completedAt.add(System.nanoTime());
    }

    void stopSubmitting() {
        stopSubmitting.set(true);
    }

    void stopWorking() {
        stopWorking.set(true);
    }

    List<String> acknowledged() {
        return acknowledged;
    }

    /** Submits that failed (not acknowledged). */
    int refused() {
        return refused.get();
    }

    Map<String, Integer> completions() {
        return completions;
    }

    List<Long> completedAt() {
        return completedAt;
    }
}
