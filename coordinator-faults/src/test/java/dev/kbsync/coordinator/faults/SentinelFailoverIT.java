package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 4: the Redis master is SIGKILLed under load (8 raw-lease holders on 2 KBs through two coordinators, plus a
 * job stream) and Sentinel promotes one of its two replicas (the other follows it, so writes that create jobs and
 * grants, which wait for one replica's acknowledgement, carry on). Measures the resume gap, counts overlapping critical sections and
 * stale fencing tokens, and checks that every acknowledged job is completed exactly once.
 * {@link SentinelFailoverUnsyncedIT} runs it with the synced-replica checks off: a class of its own, so that the two
 * runs (about 20 s each) go to two test JVMs.
 */
@TimingSensitive
class SentinelFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(SentinelFailoverIT.class);

    @Test
    void shouldResumeWithoutOverlapsOrLostJobsWhenSyncedReplicaChecksAreOn() {
        Run run = failOverUnderLoad(true);

        assertThat(run.leasesGapMs()).isLessThan(10_000);
        assertThat(run.jobsGapMs()).as(run.timeline()).isLessThan(10_000);
        assertThat(run.overlaps()).isEmpty();
        assertThat(run.staleFences()).isEmpty();
        assertThat(run.lost())
                .as(
                        "acknowledged jobs not done; one may have FAILED only if writes could not be confirmed for %d ms"
                                + " or more in a row after the election (%d ms here): a claim answered 503"
                                + " REPLICATION_TIMEOUT is taken back, but one whose take-back failed or was lost with"
                                + " its master still used an attempt (docs/reliability.md, known limits); %s",
                        ATTEMPTS_OUTLASTED_MS, run.unconfirmedMs(), run.timeline())
                .allMatch(job -> job.endsWith(" " + JobState.FAILED) && run.unconfirmedMs() >= ATTEMPTS_OUTLASTED_MS);
        assertThat(run.duplicated()).isEmpty();
    }

    /** The job attempts (3) times the job lease TTL (1.5 s) of this test's coordinators. */
    private static final long ATTEMPTS_OUTLASTED_MS = 3 * 1500;

    /**
     * What one failover run observed. Each gap (leases, jobs) counts from the election or, if later, from the last
     * moment before they resumed at which the new master had no replica online: until one is, no write that grants,
     * releases, creates or claims can be confirmed (503 REPLICATION_TIMEOUT), and that is Redis's time, not kbsync's. Sentinel may take its
     * 10 s INFO cadence, or a TILT, to point the other replica at the new master; in 1 of 27 runs under load the new
     * master lost its only replica 1.3 s after the election (no full resync) and no write was confirmed until 12.7 s,
     * when the jobs resumed at once (that run watched the first new master only, so whether the Sentinels failed over
     * again is not known; the watch now follows the master they name). The timeline (the master the Sentinels name, its role and replicas as they changed,
     * and what each call met) goes into the log and any failure. {@code unconfirmedMs} is the longest time after the
     * election the master had no replica online: a job may fail (its attempts used by claims answered 503
     * REPLICATION_TIMEOUT) only after one that long, which can come after the jobs first resumed (a replica lost again
     * 2.2 s after the election, back 11 s later, in one run).
     */
    record Run(
            long confirmableMs,
            long unconfirmedMs,
            long leasesGapMs,
            long jobsGapMs,
            String timeline,
            List<String> overlaps,
            List<String> staleFences,
            List<String> lost,
            List<String> duplicated) {}

    static Run failOverUnderLoad(boolean syncedReplicaChecks) {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicas(2);
                Node a = Node.start(config(group, syncedReplicaChecks), Node.config("a"));
                Node b = Node.start(config(group, syncedReplicaChecks), Node.config("b"))) {
            a.register("k1", "k2", "jobs");
            List<Section> sections = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stopHolders = new AtomicBoolean();
            JobLoad jobs = new JobLoad(a.jobs(), b.jobs(), List.of(KbId.of("jobs")));
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Node node = i % 2 == 0 ? a : b;
                KbId kb = KbId.of(i < 4 ? "k1" : "k2");
                threads.add(
                        Holder.thread("holder-" + i, new Holder(node.leases(), kb, "h" + i, sections, stopHolders)));
            }
            threads.add(Holder.thread("submitter", jobs.submitter()));
            threads.add(Holder.thread("worker", jobs.worker()));

            Holder.pause(3000);
            long killed = System.nanoTime();
            group.killMaster();
            group.awaitFailover();
            long elected = System.nanoTime();
            long resumed;
            long jobsResumed;
            long leasesConfirmable;
            long confirmable;
            long unconfirmedMs;
            String replication;
            List<String> unfinished;
            try (ReplicationWatch watch = ReplicationWatch.start(group, elected)) {
                resumed = firstAfter(elected, () -> {
                    synchronized (sections) { // the holders add to it meanwhile
                        return sections.stream().map(Section::enter).toList();
                    }
                });
                jobsResumed = firstAfter(elected, jobs::completedAt);
                leasesConfirmable = watch.lastUnconfirmedBefore(resumed);
                confirmable = watch.lastUnconfirmedBefore(jobsResumed);
                Holder.pause(3000);
                stopHolders.set(true);
                jobs.stopSubmitting();
                unfinished = drain(jobs);
                jobs.stopWorking();
                threads.forEach(SentinelFailoverIT::join);
                replication = watch.describe();
                unconfirmedMs = watch.longestUnconfirmedMs();
            }

            String timeline = "after the election: " + replication + "; " + jobs.timeline(elected);
            Run run = new Run(
                    ms(confirmable - elected),
                    unconfirmedMs,
                    ms(resumed - leasesConfirmable),
                    ms(jobsResumed - confirmable),
                    timeline,
                    Section.overlaps(sections),
                    Section.staleFences(sections),
                    lost(a, unfinished),
                    duplicated(jobs.completions()));
            LOG.info(
                    "failover (syncedReplicaChecks={}): election {} ms after kill; leases resumed {} ms and jobs {} ms"
                            + " after election, a replica confirming writes again {} ms after it; {} sections, {} overlaps, {}"
                            + " stale fences; {} jobs acknowledged, {} lost, {} completed twice; {}",
                    syncedReplicaChecks,
                    ms(elected - killed),
                    ms(resumed - elected),
                    ms(jobsResumed - elected),
                    run.confirmableMs(),
                    sections.size(),
                    run.overlaps().size(),
                    run.staleFences().size(),
                    jobs.acknowledged().size(),
                    run.lost().size(),
                    run.duplicated().size(),
                    timeline);
            run.overlaps().forEach(o -> LOG.warn("overlap: {}", o));
            run.staleFences().forEach(f -> LOG.warn("stale fence: {}", f));
            return run;
        }
    }

    private static Config config(RedisSentinelGroup group, boolean syncedReplicaChecks) {
        return Node.sentinels(group).setCheckLockSyncedSlaves(syncedReplicaChecks);
    }

    /** The first timestamp after {@code since}, waiting up to 30 s from now for one. */
    private static long firstAfter(long since, java.util.function.Supplier<List<Long>> times) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long first = times.get().stream()
                    .filter(t -> t > since)
                    .mapToLong(t -> t)
                    .min()
                    .orElse(-1);
            if (first > 0) {
                return first;
            }
            Holder.pause(20);
        }
        throw new AssertionError("nothing resumed within 30 s");
    }

    /** Lets the worker finish the queue; the acknowledged jobs it never completed. */
    private static List<String> drain(JobLoad jobs) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> missing = jobs.acknowledged();
        while (System.nanoTime() < deadline) {
            missing = jobs.acknowledged().stream()
                    .filter(id -> !jobs.completions().containsKey(id))
                    .toList();
            if (missing.isEmpty()) {
                return missing;
            }
            Holder.pause(100);
        }
        return missing;
    }

    /**
     * Acknowledged jobs the worker did not see complete, with their state as Redis now tells it (gone = lost with the
     * old master), leaving out those that are DONE: their outcome landed but the answer to the worker's call was lost
     * in the failover.
     */
    private static List<String> lost(Node node, List<String> unfinished) {
        return unfinished.stream()
                .map(id -> id + " " + state(node, id))
                .filter(s -> !s.endsWith(" " + JobState.DONE))
                .toList();
    }

    private static String state(Node node, String jobId) {
        try {
            JobState state =
                    Node.get(node.jobs().get(jobId), Duration.ofSeconds(5)).state();
            return state.toString();
        } catch (NotFoundException e) {
            return "GONE";
        }
    }

    private static List<String> duplicated(Map<String, Integer> completions) {
        return completions.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue())
                .toList();
    }

    private static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
