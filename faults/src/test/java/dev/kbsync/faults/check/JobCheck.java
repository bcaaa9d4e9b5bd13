package dev.kbsync.faults.check;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exactly once: every acknowledged job has one commit on its remote when done, at most one when failed, and ends in
 * one of the two; no job id is on two commits; commits of jobs nobody was told about are at most the submits that got
 * no clear answer; fences strictly increase along each branch and every remote passes {@code git fsck}.
 */
final class JobCheck {
    private final Observations observations;
    private final List<String> violations;
    private final Map<String, Integer> commitsPerJob = new HashMap<>();
    int acknowledged;
    int landed;
    int duplicated;
    int lost;
    int failed;

    JobCheck(Observations observations, List<String> violations) {
        this.observations = observations;
        this.violations = violations;
    }

    void run() {
        observations.remotes().values().forEach(this::remote);
        Set<String> acked = new HashSet<>();
        int unclear = 0;
        for (Event e : observations.history()) {
            if (e.kind() != Kind.SUBMIT) {
                continue;
            }
            if (e.type() == Type.OK) {
                acked.add(e.id());
            } else if (e.type() == Type.UNKNOWN || (e.type() == Type.FAIL && e.status() >= 500)) {
                unclear++;
            }
        }
        acknowledged = acked.size();
        acked.forEach(this::acknowledged);
        commitsPerJob.forEach((job, count) -> {
            if (count > 1) {
                duplicated++;
                violations.add("job " + job + " landed " + count + " times");
            }
        });
        long unattributed = commitsPerJob.keySet().stream()
                .filter(job -> !acked.contains(job))
                .count();
        if (unattributed > unclear) {
            violations.add(unattributed + " commits of jobs never acknowledged, but only " + unclear
                    + " submits went without a clear answer");
        }
    }

    private void acknowledged(String job) {
        int commits = commitsPerJob.getOrDefault(job, 0);
        FinalJob end = observations.jobs().get(job);
        String state = end == null ? "unread" : end.state();
        switch (state) {
            case "done" -> {
                if (commits == 0) {
                    lost++;
                    violations.add("acknowledged job " + job + " is done but not on its remote");
                } else {
                    landed++;
                }
            }
            case "failed" -> failed++;
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
        for (RemoteCommit commit : log.commits()) {
            commit.jobs().forEach(job -> commitsPerJob.merge(job, 1, Integer::sum));
            if (commit.fence() == 0) {
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
