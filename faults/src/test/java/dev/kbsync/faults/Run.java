package dev.kbsync.faults;

import dev.kbsync.faults.check.Checker;
import dev.kbsync.faults.check.FinalJob;
import dev.kbsync.faults.check.Observations;
import dev.kbsync.faults.check.RemoteLog;
import dev.kbsync.faults.check.Verdict;
import dev.kbsync.faults.client.Answer;
import dev.kbsync.faults.client.Api;
import dev.kbsync.faults.client.LeaseHolder;
import dev.kbsync.faults.client.Pause;
import dev.kbsync.faults.client.Submitter;
import dev.kbsync.faults.client.Watcher;
import dev.kbsync.faults.cluster.Cluster;
import dev.kbsync.faults.cluster.Git;
import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.History;
import dev.kbsync.faults.nemesis.Stage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Scenario} on a cluster: fresh KBs with their own remotes, clients recording a history while the
 * nemesis injects its faults (during the first 60% of the load, which starts once a submit was acknowledged, and goes on
 * at least the scenario's recovery bound + 5 s after the last fault, where it states one), then heal, wait for every queue to drain, read every acknowledged job's end state and
 * every remote, and let the {@link Checker} judge. The history and the figures go to {@link Report}.
 */
final class Run {
    private static final Logger log = LoggerFactory.getLogger(Run.class);
    private static final int KBS = 3;
    /** Faults start in the first 60% of the load; the rest shows how the cluster recovers under load. */
    private static final double FAULT_SHARE = 0.6;

    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(60);
    /**
     * How much longer than its recovery bound the load goes on at least after the last fault of a scenario that states
     * one, so that a KB slower than the bound is seen as such.
     */
    private static final long RECOVERY_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The longest wait for the first acknowledged submit before the load window starts anyway. */
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private Run() {}

    static Verdict execute(Cluster cluster, Scenario scenario, long seed) {
        Random random = new Random(seed);
        List<String> kbs = new ArrayList<>();
        for (int i = 0; i < KBS; i++) {
            String kb = scenario.id() + "-" + Long.toHexString(random.nextLong() & 0xffffffL) + "-" + i;
            cluster.addKb(kb, scenario.nemesis().remotesOverGit());
            kbs.add(kb);
        }
        History history = new History();
        AtomicBoolean stop = new AtomicBoolean();
        Api api = cluster.client();
        Watcher watcher = new Watcher(api, history, stop::get);
        List<Thread> clients = new ArrayList<>();
        clients.add(thread("watcher", watcher));
        for (int i = 0; i < scenario.holders(); i++) {
            clients.add(thread(
                    "holder-" + i, new LeaseHolder("holder-" + i, api, kbs, history, stop::get, random.nextLong())));
        }
        for (int i = 0; i < scenario.submitters(); i++) {
            clients.add(thread(
                    "submitter-" + i,
                    new Submitter(
                            "submitter-" + i,
                            api,
                            kbs,
                            history,
                            watcher,
                            stop::get,
                            random.nextLong(),
                            Scenario.submitMillis())));
        }
        // The load window (and the nemesis) starts once the cluster has acknowledged a submit: on a busy machine the
        // first answers can take seconds, and a fault injected before any would leave nothing to check.
        awaitFirstAcknowledged(history, WARM_UP_NANOS);
        long loadStart = System.nanoTime();
        long loadEnd = loadStart + scenario.load().toNanos();
        long faultsEnd = loadStart + (long) (scenario.load().toNanos() * FAULT_SHARE);
        Stage stage = new Stage(
                cluster,
                kbs,
                new Random(random.nextLong()),
                history,
                () -> stop.get() || System.nanoTime() > faultsEnd);
        Thread nemesis = thread("nemesis", () -> scenario.nemesis().run(stage));
        try {
            while (System.nanoTime() < loadEnd && nemesis.isAlive()) {
                Pause.millis(50);
            }
            long bound = scenario.expected().recoveryBoundMillis();
            long tail = bound < 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(bound) + RECOVERY_MARGIN_NANOS;
            while (System.nanoTime() < Math.max(loadEnd, lastFault(history) + tail)) {
                Pause.millis(50);
            }
        } finally {
            stop.set(true);
            join(nemesis, 180);
            scenario.nemesis().heal(stage);
        }
        clients.forEach(client -> join(client, 60));
        long stopped = System.nanoTime();
        Map<String, Long> drain = new HashMap<>();
        long drainNanos = Math.max(DRAIN_NANOS, scenario.load().toNanos());
        for (String kb : kbs) {
            drain.put(kb, drain(api, kb, stopped, drainNanos));
        }
        Map<String, FinalJob> jobs = finalJobs(api, history);
        Map<String, RemoteLog> remotes = new HashMap<>();
        for (String kb : kbs) {
            remotes.put(kb, Git.read(kb, cluster.remote(kb), cluster.logs()));
        }
        Verdict verdict = Checker.check(new Observations(history.events(), remotes, jobs, drain, scenario.expected()));
        Report.write(scenario, seed, history, verdict);
        log.info("{}: {} {}", scenario.id(), verdict.figures(), verdict.violations());
        verdict.warnings().forEach(w -> log.warn("{}: {}", scenario.id(), w));
        return verdict;
    }

    /** When the last fault so far was injected; {@link Long#MIN_VALUE} / 2 before the first. */
    private static long lastFault(History history) {
        return history.events().stream()
                .filter(e -> e.kind() == Event.Kind.FAULT && e.type() == Event.Type.INVOKE)
                .mapToLong(Event::nanos)
                .max()
                .orElse(Long.MIN_VALUE / 2);
    }

    private static void awaitFirstAcknowledged(History history, long within) {
        long deadline = System.nanoTime() + within;
        while (System.nanoTime() < deadline
                && history.events().stream()
                        .noneMatch(e -> e.kind() == Event.Kind.SUBMIT && e.type() == Event.Type.OK)) {
            Pause.millis(20);
        }
    }

    /** Runs {@code scenario} and fails with every violation and the seed that replays it. */
    static void assertValid(Cluster cluster, Scenario scenario, long baseSeed) {
        Verdict verdict = execute(cluster, scenario, Seeds.of(baseSeed, scenario.id()));
        org.assertj.core.api.Assertions.assertThat(verdict.violations())
                .as(() -> Seeds.replay(scenario.id(), baseSeed, verdict.violations()))
                .isEmpty();
        org.assertj.core.api.Assertions.assertThat(verdict.figures().acknowledged())
                .as("acknowledged jobs of " + scenario.id())
                .isPositive();
    }

    /**
     * Ms from {@code since} until the KB has no holder, no running job and no waiter; -1 after {@code limit} ns (60 s,
     * or the load's length when longer: a soak's backlog takes longer to land).
     */
    private static long drain(Api api, String kb, long since, long limit) {
        while (System.nanoTime() - since < limit) {
            try {
                Answer queue = api.get(api.any(), "/v1/kbs/" + kb + "/queue");
                if (queue.status() == 200
                        && queue.body().getValue("holder") == null
                        && queue.body().getJsonArray("waiters").isEmpty()
                        && queue.body().getJsonArray("running").isEmpty()) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                }
            } catch (IOException unanswered) {
                // ask again
            }
            Pause.millis(100);
        }
        return -1;
    }

    private static Map<String, FinalJob> finalJobs(Api api, History history) {
        Map<String, FinalJob> jobs = new HashMap<>();
        for (Event e : history.events()) {
            if (e.kind() == Event.Kind.SUBMIT && e.type() == Event.Type.OK) {
                jobs.put(e.id(), finalJob(api, e.id()));
            }
        }
        return jobs;
    }

    private static FinalJob finalJob(Api api, String id) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                Answer answer = api.get(api.any(), "/v1/jobs/" + id);
                if (answer.status() == 200) {
                    return new FinalJob(id, answer.string("state"), answer.errorCode());
                }
                if (answer.status() == 404) {
                    return new FinalJob(id, "missing", "JOB_NOT_FOUND");
                }
            } catch (IOException unanswered) {
                // ask again
            }
            Pause.millis(250);
        }
        return new FinalJob(id, "unreadable", "");
    }

    private static Thread thread(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(Thread thread, long seconds) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(seconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
