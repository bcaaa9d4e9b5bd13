package dev.kbsync.faults.check;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exactly once: no job id is acknowledged to two submits (the suite's submits carry no idempotency key, so each is a
 * job of its own); every acknowledged job has one commit on its own KB's remote (none on another KB's) when done, none when failed (at most one when the
 * coordinator failed it after its grant lapsed, counted apart), and ends in
 * one of the two; no job id is on two commits; commits of jobs nobody was told about are at most the submits that got
 * no clear answer; every commit but the branch's first (the seed) carries a {@code Kbsync-Job} and a
 * {@code Kbsync-Fence}; fences strictly increase along each branch and every remote passes {@code git fsck}.
 */
final class JobCheck {
    /**
     * The failures that may have landed (docs/api.md, "Retry a job": "A job can read failed although its commit
     * landed"): those the coordinator records itself when a job's grant lapses on its last attempt (its worker may have
     * pushed before it stalled or died), and a worker's PUSH_UNCERTAIN (its push failed in transport and the remote
     * could not be checked). Every other failure is its worker's report that the note was not published.
     */
    private static final Set<String> LAPSED = Set.of("LEASE_EXPIRED", "MAX_HOLD_EXCEEDED", "PUSH_UNCERTAIN");

    private final Observations observations;
    private final List<String> violations;
    /** Per job id, its commits per KB whose remote holds them. */
    private final Map<String, Map<String, Integer>> commitsPerJob = new HashMap<>();

    int acknowledged;
    int landed;
    int duplicated;
    int lost;
    int failed;
    int failedLanded;

    JobCheck(Observations observations, List<String> violations) {
        this.observations = observations;
        this.violations = violations;
    }

    void run() {
        observations.remotes().values().forEach(this::remote);
        Map<String, String> acked = new HashMap<>();
        Map<String, Integer> acks = new HashMap<>();
        int unclear = 0;
        for (Event e : observations.history()) {
            if (e.kind() != Kind.SUBMIT) {
                continue;
            }
            if (e.type() == Type.OK) {
                acked.put(e.id(), e.kb());
                acks.merge(e.id(), 1, Integer::sum);
                acknowledged++;
            } else if (e.type() == Type.UNKNOWN || (e.type() == Type.FAIL && e.status() >= 500)) {
                unclear++;
            }
        }
        acks.forEach((job, count) -> {
            if (count > 1) {
                violations.add("job id " + job + " acknowledged to " + count + " submits");
            }
        });
        acked.forEach(this::acknowledged);
        commitsPerJob.forEach((job, perKb) -> {
            int count = perKb.values().stream().mapToInt(Integer::intValue).sum();
            if (count > 1) {
                duplicated++;
                violations.add("job " + job + " landed " + count + " times");
            }
        });
        long unattributed = commitsPerJob.keySet().stream()
                .filter(job -> !acked.containsKey(job))
                .count();
        if (unattributed > unclear) {
            violations.add(unattributed + " commits of jobs never acknowledged, but only " + unclear
                    + " submits went without a clear answer");
        }
    }

    private void acknowledged(String job, String kb) {
        Map<String, Integer> perKb = commitsPerJob.getOrDefault(job, Map.of());
        int commits = perKb.getOrDefault(kb, 0);
        perKb.keySet().stream()
                .filter(other -> !other.equals(kb))
                .sorted()
                .forEach(other -> violations.add("job " + job + " of " + kb + " landed on the remote of " + other));
        FinalJob end = observations.jobs().get(job);
        String state = end == null ? "unread" : end.state();
        switch (state) {
            case "done" -> {
                if (commits == 0) {
                    lost++;
                    violations.add("acknowledged job " + job + " of " + kb + " is done but not on its remote");
                } else {
                    landed++;
                }
            }
            case "failed" -> {
                failed++;
                if (commits > 0) {
                    if (LAPSED.contains(end.errorCode())) {
                        failedLanded++;
                    } else {
                        violations.add("acknowledged job " + job + " of " + kb + " ended failed (" + end.errorCode()
                                + ") but its note landed");
                    }
                }
            }
            default -> {
                lost++;
                violations.add("acknowledged job " + job + " ended " + state + " (neither done nor failed)");
            }
        }
    }

    private void remote(RemoteLog log) {
        if (!log.fsckClean()) {
            violations.add("git fsck of " + log.kb() + " failed: " + log.fsckOutput());
        }
        long previous = 0;
        String previousSha = "";
        for (int i = 0; i < log.commits().size(); i++) {
            RemoteCommit commit = log.commits().get(i);
            commit.jobs()
                    .forEach(job -> commitsPerJob
                            .computeIfAbsent(job, j -> new HashMap<>())
                            .merge(log.kb(), 1, Integer::sum));
            if (i > 0 && commit.jobs().isEmpty()) {
                violations.add("commit " + commit.sha() + " of " + log.kb() + " carries no Kbsync-Job");
            }
            if (commit.fence() == 0) {
                if (i > 0) {
                    violations.add("commit " + commit.sha() + " of " + log.kb() + " carries no Kbsync-Fence");
                }
                continue;
            }
            if (commit.fence() <= previous) {
                violations.add("fence " + commit.fence() + " of " + log.kb() + " commit " + commit.sha()
                        + " does not exceed fence " + previous + " of its ancestor " + previousSha);
            }
            previous = commit.fence();
            previousSha = commit.sha();
        }
    }
}
