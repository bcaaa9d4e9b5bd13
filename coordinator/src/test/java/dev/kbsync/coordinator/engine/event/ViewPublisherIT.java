package dev.kbsync.coordinator.engine.event;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.coordinator.engine.Coordinators;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.KbView;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Watchers;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link ViewPublisher}'s per-KB state against a real Redis: what it keeps of a KB goes with the KB's last stream. */
class ViewPublisherIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Coordinators coordinators = new Coordinators(redis);
    private Vertx vertx;
    private Engine engine;
    private Context context;
    private Tickets tickets;
    private Watchers watchers;
    /** Publishes to the engine's event bus, watched by its own {@link Watchers} (the engine's fan-out sends nothing). */
    private ViewPublisher views;

    @BeforeEach
    void start() {
        Coordinators.Node node = coordinators.start(Coordinators.config("views"), MetricsSink.NONE);
        vertx = node.vertx();
        engine = node.engine();
        context = vertx.getOrCreateContext();
        tickets = new Tickets(
                new Redis(node.client(), context, Redis.Replication.none()),
                DriverSettings.of(Coordinators.config("views")),
                "views");
        watchers = new Watchers();
        views = new ViewPublisher(
                vertx.eventBus(), MetricsSink.NONE, watchers, new TicketSender(vertx.eventBus(), tickets));
    }

    @AfterEach
    void stop() {
        coordinators.close();
    }

    /**
     * A KB's last stream closed and its state was forgotten while a job's read for its event was under way: the read,
     * answered later, keeps nothing (kept, it would never go, and a later stream of the KB would be sent its stale
     * fields in position events).
     */
    @Test
    void shouldKeepNoJobReadForAKbForgottenWhileTheReadWasUnderWay() {
        KbId kb = KbId.of("forgotten");
        coordinators.register(engine, kb.value());
        String job = await(engine.services()
                        .jobs()
                        .submit(kb, "alice", new JobPayload.Note("hello", null, null), Optional.empty()))
                .id();
        KbView view = await(tickets.view(kb));
        Watchers.Watch watch = watchers.kb(kb); // its first state not told yet: the job's state is read and sent

        Promise<Void> published = Promise.promise();
        context.runOnContext(v -> {
            views.publish(view).onComplete(published); // the job's read is under way ...
            watch.close();
            views.forget(kb); // ... as the KB's last stream closes
        });
        await(published.future());

        assertThat(views.tracked(kb)).isFalse();
        assertThat(views.jobsKept()).as("jobs kept after the KB was forgotten").doesNotContain(job);
    }

    /**
     * A job put back in the queue (its worker reported REMOTE_UNAVAILABLE) and claimed again between two views published
     * here runs under a new grant: its stream gets a queued state event, then a running one with the new grant's token
     * (the same state and place as the view before would otherwise tell nothing, and keep the first run's token).
     */
    @Test
    void shouldSendQueuedThenRunningWithTheNewTokenForAJobClaimedAgainBetweenTwoViews() {
        KbId kb = KbId.of("regranted");
        coordinators.register(engine, kb.value());
        JobService jobs = engine.services().jobs();
        String job = await(jobs.submit(kb, "alice", new JobPayload.Note("hello", null, null), Optional.empty()))
                .id();
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        vertx.eventBus().<JobEvent>consumer(QueueAddresses.job(job), message -> events.add(message.body()));
        Assignment first = claim(jobs, "w1", job);
        watchers.kb(kb); // its first state not told yet: the job's state is sent
        publish(await(tickets.view(kb)));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(views.jobsKept())
                .as("the job as read for its running event, kept")
                .contains(job);

        JobError outage = new JobError("REMOTE_UNAVAILABLE", "the remote answered 503");
        await(jobs.complete(job, new JobOutcome.Failed(first.lease().id(), outage, 0)));
        Assignment again = claim(jobs, "w2", job);
        assertThat(again.lease().fencingToken()).isGreaterThan(first.lease().fencingToken());
        publish(await(tickets.view(kb)));

        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events)
                        .extracting(e -> e.name() + " " + e.job().state().wire() + " "
                                + e.job().fencingToken())
                        .containsExactly(
                                "state running " + first.lease().fencingToken(),
                                "state queued " + first.lease().fencingToken(),
                                "state running " + again.lease().fencingToken()));
    }

    /** Polls as {@code worker} until it is handed {@code job} (another test's job in this Redis may come first). */
    private static Assignment claim(JobService jobs, String worker, String job) {
        for (int polls = 0; polls < 5; polls++) {
            Assignment handed = await(jobs.poll(worker, Duration.ofSeconds(10))).orElseThrow();
            if (handed.job().id().equals(job)) {
                return handed;
            }
        }
        throw new AssertionError("job " + job + " was not handed to " + worker);
    }

    private void publish(KbView view) {
        Promise<Void> published = Promise.promise();
        context.runOnContext(v -> views.publish(view).onComplete(published));
        await(published.future());
    }
}
