package dev.kbsync.coordinator.snapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where tasks of many lanes run: at most {@code max} at once, at most {@code perLane} of them of one lane, in the order
 * asked for among those allowed to start. A task waits only when all threads are busy or its own lane's share is: a
 * lane whose tasks never end holds its own share, not the other lanes' tasks. The mirrors' fetches go in a lane per
 * host (a host that accepts connections and never answers), their reads in a lane per KB (one KB's long log walks)
 * ({@link KbMirrors}).
 */
final class Lanes {
    private final ExecutorService threads;
    private final int max;
    private final int perLane;
    private final Queue<Waiting> waiting = new ArrayDeque<>();
    private final Map<String, Integer> runningByLane = new HashMap<>();
    private int running;

    Lanes(ExecutorService threads, int max, int perLane) {
        this.threads = threads;
        this.max = max;
        this.perLane = perLane;
    }

    /**
     * Runs {@code task} (of {@code lane}) once a thread and its lane's share allow; whether it waits for them (did not
     * start at once). The threads shut down, it never runs: {@code refused} runs instead (on the caller's thread or on
     * the one that found them shut), for this task and for every task still waiting.
     */
    boolean execute(String lane, Runnable task, Runnable refused) {
        Waiting asked = new Waiting(lane, task, refused);
        synchronized (this) {
            waiting.add(asked);
        }
        dispatch();
        synchronized (this) {
            return waiting.stream().anyMatch(w -> w == asked);
        }
    }

    /** Takes {@code task} back if it is still waiting (it will not run); whether it was. */
    synchronized boolean withdraw(Runnable task) {
        return waiting.removeIf(w -> w.task() == task);
    }

    private void dispatch() {
        while (true) {
            Waiting next = null;
            synchronized (this) {
                if (running >= max) {
                    return;
                }
                for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
                    Waiting candidate = it.next();
                    if (runningByLane.getOrDefault(candidate.lane(), 0) < perLane) {
                        it.remove();
                        next = candidate;
                        break;
                    }
                }
                if (next == null) {
                    return;
                }
                running++;
                runningByLane.merge(next.lane(), 1, Integer::sum);
            }
            Waiting started = next;
            try {
                threads.execute(() -> {
                    try {
                        started.task().run();
                    } finally {
                        done(started.lane());
                    }
                });
            } catch (RejectedExecutionException closed) {
                ended(started.lane());
                refuseAll(started);
                return;
            }
        }
    }

    /** The threads are shut: {@code started} and every task still waiting will never run. */
    private void refuseAll(Waiting started) {
        List<Waiting> refused = new ArrayList<>(List.of(started));
        synchronized (this) {
            refused.addAll(waiting);
            waiting.clear();
        }
        refused.forEach(w -> w.refused().run());
    }

    private void done(String lane) {
        ended(lane);
        dispatch();
    }

    private synchronized void ended(String lane) {
        running--;
        runningByLane.computeIfPresent(lane, (l, n) -> n <= 1 ? null : n - 1);
    }

    private record Waiting(String lane, Runnable task, Runnable refused) {}
}
