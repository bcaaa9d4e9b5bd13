package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.git.GitAuth;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LocalLockConfig;
import dev.kbsync.worker.apply.Applier;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.StopSignal;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fallback.FallbackMode;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.fallback.ResultOutbox;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Jobs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** One job run by the runner against a stand-in coordinator (heartbeats and reports answered at once). */
class JobRunnerTest {
    private static final String JOB = "team~j1";

    private final Vertx vertx = Vertx.vertx();

    @TempDir
    Path tmp;

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /**
     * A job that starts once its worker's grace is over (a poll in flight brought it and the give-back failed) misses
     * the stop the worker sent the jobs running then: it is stopped as it starts, before it waits for the KB's local
     * lock, so its agent never runs; its give-back failing again, it reports {@code WORKER_SHUTDOWN}.
     */
    @Test
    void shouldStopAJobThatStartsWhileTheWorkerAbandonsItsJobs() throws Exception {
        List<Optional<StopSignal.Stop>> seen = new CopyOnWriteArrayList<>();
        Applier agent = new Applier() {
            @Override
            public ApplyResult apply(Path checkout, dev.kbsync.api.Job job, KbConfig kb) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ApplyResult apply(
                    Path checkout,
                    dev.kbsync.api.Job job,
                    KbConfig kb,
                    StopSignal stop,
                    dev.kbsync.worker.apply.CaseIndex names) {
                seen.add(stop.stopped());
                return new ApplyResult.Refused(new JobError("AGENT_FAILED", "the agent ran"));
            }
        };
        try (KbsyncClient client = coordinator();
                CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE)) {
            JobRunner runner = runner(client, cache, agent, 50);

            List<JobReport> reports = runner.run(assignment(), () -> true, () -> {});

            assertThat(seen).as("agent runs").isEmpty();
            assertThat(reports)
                    .singleElement()
                    .satisfies(r -> assertThat(r.outcome())
                            .isInstanceOfSatisfying(
                                    JobOutcome.Failed.class,
                                    f -> assertThat(f.error().code()).isEqualTo(UnitAbortedException.WORKER_SHUTDOWN)));
        }
    }

    /**
     * Housekeeping after a job runs once its grant ended (the report was delivered): the job's lease keeper is closed
     * by then, so it does not heartbeat an ended lease (and take the answer for a lost lease), and the job no longer
     * counts as running.
     */
    @Test
    void shouldMaintainTheCheckoutOnlyOnceTheJobsLeaseKeeperIsClosed() throws Exception {
        Applier refusing = (checkout, job, kb) -> new ApplyResult.Refused(new JobError("NOTE_INVALID", "refused"));
        List<List<String>> runningWhileMaintained = new CopyOnWriteArrayList<>();
        Logger logger = (Logger) LoggerFactory.getLogger(KbCheckout.class);
        try (KbsyncClient client = coordinator();
                CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE)) {
            JobRunner runner = runner(client, cache, refusing, 1);
            AppenderBase<ILoggingEvent> maintained = new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent event) {
                    if (event.getFormattedMessage().startsWith("maintained checkout")) {
                        runningWhileMaintained.add(runner.underWay());
                    }
                }
            };
            maintained.start();
            logger.addAppender(maintained);
            try {
                runner.run(assignment(), () -> false, () -> {});
            } finally {
                logger.detachAppender(maintained);
            }

            assertThat(runningWhileMaintained)
                    .as("jobs running while the checkout was maintained")
                    .containsExactly(List.of());
        }
    }

    /** After a job, the checkouts beyond the cache's bound are closed: a worker's memory does not grow with its KBs. */
    @Test
    void shouldCloseTheCheckoutsBeyondTheCachesBoundAfterAJob() throws Exception {
        Applier refusing = (checkout, job, kb) -> new ApplyResult.Refused(new JobError("NOTE_INVALID", "refused"));
        try (KbsyncClient client = coordinator();
                CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE, 1)) {
            JobRunner runner = runner(client, cache, refusing, 50);

            runner.run(assignment("team"), () -> false, () -> {});
            runner.run(assignment("other"), () -> false, () -> {});

            assertThat(cache.open()).containsExactly(KbId.of("other"));
        }
    }

    /**
     * A job that journal jobs were restored onto (a degraded coordinator accepted its request again during an outage,
     * and one of its workers landed it under a lower token): its worker finds that journal job's commit and is done
     * with it, the job's own change never applied.
     */
    @Test
    void shouldFinishAJobWithTheCommitOfAJournalJobRestoredOntoIt() throws Exception {
        List<String> applied = new CopyOnWriteArrayList<>();
        Applier recording = (checkout, job, kb) -> {
            applied.add(job.id());
            return new ApplyResult.Refused(new JobError("NOTE_INVALID", "applied again"));
        };
        Assignment granted = assignment("team");
        String journaled = "team~0123456789abcdef01234567";
        GitFixture.pushCommits(
                granted.kb().remote(),
                tmp.resolve("degraded-run"),
                "once.md",
                1,
                i -> Map.of("Kbsync-Job", journaled, "Kbsync-Kb", "team", "Kbsync-Fence", "3"));
        String landed = GitFixture.history(tmp.resolve("team.git")).get(0).name();
        JsonObject job =
                granted.job().toJson().put("firstFencingToken", 3L).put("restoredFrom", new JsonArray().add(journaled));
        Assignment restoredOnto = new Assignment(granted.lease(), Job.fromJson(job), granted.kb(), null, false);
        try (KbsyncClient client = coordinator();
                CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE)) {
            JobRunner runner = runner(client, cache, recording, 50);

            List<JobReport> reports = runner.run(restoredOnto, () -> false, () -> {});

            assertThat(applied).as("jobs applied").isEmpty();
            assertThat(reports)
                    .singleElement()
                    .satisfies(r -> assertThat(r.outcome())
                            .isInstanceOfSatisfying(
                                    JobOutcome.Done.class,
                                    d -> assertThat(d.commit()).isEqualTo(landed)));
        }
    }

    private Assignment assignment() {
        return assignment("team");
    }

    private Assignment assignment(String kb) {
        String remote = GitFixture.bareRemote(tmp.resolve(kb + ".git"));
        Instant now = Instant.now();
        Lease lease = new Lease(
                "l-1", KbId.of(kb), "w1", LeaseState.GRANTED, 0, 7L, JOB, now, now.plusSeconds(30), null, 30_000);
        return new Assignment(
                lease, Jobs.agent(JOB, "ada", "do it"), new KbConfig(KbId.of(kb), remote, "main"), null, false);
    }

    /** Answers a heartbeat with the granted lease, anything else (a report) with the job. */
    private KbsyncClient coordinator() throws Exception {
        Instant now = Instant.now();
        String lease = new Lease(
                        "l-1",
                        KbId.of("team"),
                        "w1",
                        LeaseState.GRANTED,
                        0,
                        7L,
                        JOB,
                        now,
                        now.plusSeconds(30),
                        null,
                        30_000)
                .toJson()
                .encode();
        String job = Jobs.agent(JOB, "ada", "do it").toJson().encode();
        HttpServer server = vertx.createHttpServer()
                .requestHandler(r -> r.response()
                        .putHeader("Content-Type", "application/json")
                        .end(r.path().endsWith("/heartbeat") ? lease : job))
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        return KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + server.actualPort()), "t"));
    }

    private JobRunner runner(KbsyncClient client, CheckoutCache cache, Applier applier, int maintainEvery) {
        ModeTracker modes = new ModeTracker(FallbackMode.LOCAL);
        return new JobRunner(
                vertx,
                client,
                modes,
                new ResultOutbox(client, modes, new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(50))),
                cache,
                new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC()),
                applier,
                new PublishCycle(new PushRetry(0, Duration.ofMillis(10)), PhaseListener.NONE, d -> {}),
                new RunnerSettings("users.kbsync", maintainEvery, 1, PhaseListener.NONE));
    }
}
