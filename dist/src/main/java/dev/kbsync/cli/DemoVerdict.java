package dev.kbsync.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks the demo's promise on the remote history: each job once, nothing extra, fences increasing, linear. */
record DemoVerdict(boolean ok, String summary) {
    static DemoVerdict of(Set<String> submitted, Map<String, String> states, List<RemoteLog.Entry> log) {
        Map<String, Integer> seen = new HashMap<>();
        long lastFence = Long.MIN_VALUE;
        boolean increasing = true;
        boolean linear = true;
        for (RemoteLog.Entry e : log) {
            linear &= e.parents() <= 1;
            if (e.job() != null) {
                seen.merge(e.job(), 1, Integer::sum);
            }
            if (e.fence() != null) {
                increasing &= e.fence() > lastFence;
                lastFence = e.fence();
            }
        }
        long once =
                submitted.stream().filter(id -> seen.getOrDefault(id, 0) == 1).count();
        long unknown =
                seen.keySet().stream().filter(id -> !submitted.contains(id)).count();
        long done = states.values().stream().filter("done"::equals).count();
        boolean ok = once == submitted.size() && unknown == 0 && increasing && linear && done == submitted.size();
        String summary = String.format(
                "%s: %d notes submitted, %d done, %d in the remote exactly once, %d unexpected commits; "
                        + "fencing tokens %s; history %s",
                ok ? "OK" : "FAILED",
                submitted.size(),
                done,
                once,
                unknown,
                increasing ? "strictly increasing" : "NOT increasing",
                linear ? "linear" : "NOT linear");
        return new DemoVerdict(ok, summary);
    }
}
