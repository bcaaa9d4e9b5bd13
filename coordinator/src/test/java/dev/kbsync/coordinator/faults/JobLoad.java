package dev.kbsync.coordinator.faults;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.CoordinatorException;
import dev.kbsync.coordinator.service.JobService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream of job submissions and a worker completing them. {@link #acknowledged()} holds only the jobs whose submit
 * succeeded; {@link #completions()} counts successful completions per job id; {@link #completedAt()} the times;
 * {@link #timeline(long)} tells, for a failure report, what each call met after a moment.
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
    private final List<Call> calls = new CopyOnWriteArrayList<>();
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
                    calls.add(Call.ok("submit"));
                } catch (RuntimeException notAcknowledged) {
                    refused.incrementAndGet(); // a failed submit is not counted
                    calls.add(Call.failed("submit", notAcknowledged));
                }
                Holder.pause(50);
            }
        };
    }

    Runnable worker() {
        return worker("w");
    }

    /**
     * A worker polling as {@code workerId}; several of them share the jobs, as a deployment's workers do (one that
     * waits on a failed shard's job then holds up only itself, not every KB's jobs behind it).
     */
    Runnable worker(String workerId) {
        return () -> {
            while (!stopWorking.get()) {
                Optional<Assignment> next;
                try {
                    next = Node.get(workOn.poll(workerId, Duration.ofSeconds(1)), CALL);
                    calls.add(Call.ok(next.isPresent() ? "claim" : "empty poll"));
                } catch (RuntimeException unreachable) {
                    calls.add(Call.failed("poll", unreachable));
                    Holder.pause(100);
                    continue;
                }
                next.ifPresent(this::complete);
            }
        };
    }

    private void complete(Assignment a) {
        try {
            Node.get(workOn.complete(a.job().id(), new JobOutcome.Done(a.lease().id(), "c0ffee", List.of(), 0)), CALL);
        } catch (RuntimeException unreachable) {
            calls.add(Call.failed("complete", unreachable));
            Holder.pause(100);
            return;
        }
        calls.add(Call.ok("complete"));
        completions.merge(a.job().id(), 1, Integer::sum);
        completedAt.add(System.nanoTime());
    }

    /**
     * What the calls met after {@code sinceNanos}: per call and outcome, how many and the first and last time (ms after
     * it), e.g. {@code submit REPLICATION_TIMEOUT x12 [40..9100 ms]}.
     */
    String timeline(long sinceNanos) {
        Map<String, long[]> seen = new TreeMap<>();
        for (Call call : calls) {
            if (call.atNanos() > sinceNanos) {
                long ms = TimeUnit.NANOSECONDS.toMillis(call.atNanos() - sinceNanos);
                long[] agg = seen.computeIfAbsent(call.what() + " " + call.outcome(), k -> new long[] {0, ms, ms});
                agg[0]++;
                agg[2] = ms;
            }
        }
        List<String> lines = seen.entrySet().stream()
                .sorted(Map.Entry.comparingByValue((x, y) -> Long.compare(x[1], y[1])))
                .map(e ->
                        e.getKey() + " x" + e.getValue()[0] + " [" + e.getValue()[1] + ".." + e.getValue()[2] + " ms]")
                .toList();
        return String.join("; ", lines);
    }

    /** One call of the load and how it ended: ok, or the error code (or exception) it failed with. */
    private record Call(long atNanos, String what, String outcome) {
        static Call ok(String what) {
            return new Call(System.nanoTime(), what, "ok");
        }

        static Call failed(String what, RuntimeException e) {
            return new Call(
                    System.nanoTime(),
                    what,
                    e instanceof CoordinatorException c
                            ? c.code()
                            : e.getClass().getSimpleName());
        }
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
