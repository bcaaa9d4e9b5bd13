package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.sweep.Sweeper;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.QueueService;
import dev.kbsync.coordinator.service.Watchers;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

class LeaseIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static LeaseService leases;
    static QueueService queues;
    static final RecordingMetrics metrics = new RecordingMetrics();
    static final Duration MAX_HOLD = Duration.ofSeconds(3);

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        EngineConfig base = Coordinators.config("c1");
        EngineConfig config = new EngineConfig(
                "c1", base.leaseTtl(), MAX_HOLD, base.waiterTtl(), base.lockWatchdog(), base.sweepInterval());
        Engine engine = coordinators.start(config, metrics).engine();
        coordinators.register(engine, "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota");
        leases = engine.services().leases();
        queues = engine.services().queues();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldGrantUncontendedRequestAtOnceAndReleaseIt() {
        Lease lease = await(leases.request(KbId.of("alpha"), "bot-1", Duration.ofSeconds(10)));

        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(lease.fencingToken()).isPositive();
        assertThat(lease.ahead()).isZero();
        assertThat(await(leases.release(lease.id())).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(await(leases.release(lease.id())).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(metrics.count("granted", "alpha")).isEqualTo(1);
        assertThat(metrics.count("released", "alpha")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(metrics.count("queueLength", "alpha")).isPositive());
    }

    @Test
    void shouldPublishQueueEventsOnlyWhileTheKbIsWatched() {
        List<SnapshotEvent> unwatched = snapshots(KbId.of("eta"));
        List<SnapshotEvent> watched = snapshots(KbId.of("theta"));
        Watchers.Watch watch = queues.watchers().kb(KbId.of("theta"));

        for (String kb : List.of("eta", "theta")) {
            Lease lease = await(leases.request(KbId.of(kb), "bot", Duration.ofSeconds(10)));
            await(leases.release(lease.id()));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> watched.size() >= 2);
        watch.close();
        // a sweep's refresh read before the close may still publish the same view again: wait until it has
        int told = settled(watched);
        Lease after = await(leases.request(KbId.of("theta"), "bot", Duration.ofSeconds(10)));
        await(leases.release(after.id()));
        Thread.yield();
        assertThat(unwatched).isEmpty();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> watched.size() == told);
    }

    /** The size of {@code seen} once it has not grown for 300 ms. */
    private static int settled(List<?> seen) {
        AtomicInteger last = new AtomicInteger(-1);
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(5))
                .until(() -> last.getAndSet(seen.size()) == seen.size());
        return seen.size();
    }

    @Test
    void shouldSendGrantAndFinalStateToAStreamThatStartedWatchingLate() {
        KbId kb = KbId.of("iota");
        Lease holder = await(leases.request(kb, "holder", Duration.ofSeconds(10)));
        Lease waiter = await(leases.request(kb, "waiter", Duration.ofSeconds(10)));
        List<String> states = new CopyOnWriteArrayList<>();
        Watchers.Watch watch = queues.watchers().lease(waiter.id()); // after every change so far: no baseline
        await(coordinators
                .node(0)
                .vertx()
                .eventBus()
                .<LeaseEvent>consumer(
                        QueueAddresses.lease(waiter.id()),
                        m -> states.add(m.body().lease().state().wire()))
                .completion());

        await(leases.release(holder.id()));
        await().atMost(Duration.ofSeconds(5)).until(() -> states.contains("granted"));
        await(leases.release(waiter.id()));

        await().atMost(Duration.ofSeconds(5)).until(() -> states.contains("released"));
        watch.close();
    }

    private static List<SnapshotEvent> snapshots(KbId kb) {
        List<SnapshotEvent> seen = new CopyOnWriteArrayList<>();
        await(coordinators
                .node(0)
                .vertx()
                .eventBus()
                .<SnapshotEvent>consumer(QueueAddresses.kb(kb), m -> seen.add(m.body()))
                .completion());
        return seen;
    }

    @Test
    void shouldQueueSecondRequestAndGrantItOnRelease() {
        KbId kb = KbId.of("beta");
        Lease first = await(leases.request(kb, "bot-1", Duration.ofSeconds(10)));
        Lease second = await(leases.request(kb, "bot-2", Duration.ofSeconds(10)));

        assertThat(second.state()).isEqualTo(LeaseState.WAITING);
        assertThat(second.ahead()).isEqualTo(1);
        await(leases.release(first.id()));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(await(leases.heartbeat(second.id())).state()).isEqualTo(LeaseState.GRANTED));
        Lease granted = await(leases.get(second.id()));
        assertThat(granted.fencingToken()).isGreaterThan(first.fencingToken());
        await(leases.release(second.id()));
    }

    @Test
    void shouldExpireSilentHolderWithWarningAndGrantNext() {
        ListAppender<ILoggingEvent> log = sweeperLog();
        KbId kb = KbId.of("gamma");
        Lease silent = await(leases.request(kb, "silent-bot", Duration.ofMillis(800)));
        Lease next = await(leases.request(kb, "bot-2", Duration.ofSeconds(10)));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() ->
                        assertThat(await(leases.heartbeat(next.id())).state()).isEqualTo(LeaseState.GRANTED));

        assertThat(await(leases.get(silent.id())).state()).isEqualTo(LeaseState.EXPIRED);
        assertThatThrownBy(() -> await(leases.heartbeat(silent.id())))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("LEASE_LOST"));
        assertThat(metrics.count("expired", "gamma")).isEqualTo(1);
        assertThat(log.list)
                .anySatisfy(e -> assertThat(e.getFormattedMessage())
                        .contains(silent.id(), "KB gamma", "silent-bot", "without heartbeat; granting next"));
        await(leases.release(next.id()));
    }

    /**
     * A waiter queued through a coordinator that allows a longer hold (a rolling change of lease.maxHoldSeconds), then
     * granted by this one: its grant lapses by this grant's deadline at the latest, never past it.
     */
    @Test
    void shouldNotLetAGrantsExpiryPassItsDeadline() {
        EngineConfig base = Coordinators.config("c2");
        Engine longer = coordinators.start(new EngineConfig(
                "c2",
                Duration.ofSeconds(60),
                Duration.ofSeconds(120),
                Duration.ofSeconds(60), // the waiter is kept alive well past this coordinator's maximum hold
                base.lockWatchdog(),
                base.sweepInterval()));
        KbId kb = KbId.of("kappa");
        coordinators.register(longer, "kappa");
        Lease holder = await(leases.request(kb, "holder", Duration.ofSeconds(10)));
        Lease waiter = await(longer.services().leases().request(kb, "patient", Duration.ofSeconds(60)));
        assertThat(waiter.state()).isEqualTo(LeaseState.WAITING);

        await(leases.release(holder.id())); // this coordinator grants the waiter, under its own maximum hold

        Lease granted = await(leases.get(waiter.id()));
        assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(granted.expiresAt()).isBeforeOrEqualTo(granted.deadlineAt());
        await(leases.release(waiter.id()));
    }

    @Test
    void shouldEndGrantAtMaximumHoldEvenWithHeartbeats() {
        ListAppender<ILoggingEvent> log = sweeperLog();
        Lease greedy = await(leases.request(KbId.of("epsilon"), "greedy", Duration.ofSeconds(1)));
        long start = System.nanoTime();

        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    try {
                        await(leases.heartbeat(greedy.id()));
                        return false;
                    } catch (ConflictException lost) {
                        return true;
                    }
                });

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(MAX_HOLD.minusMillis(500));
        // the heartbeat refuses a grant past its deadline at once; the sweep ends it within one interval
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(await(leases.get(greedy.id())).state()).isEqualTo(LeaseState.EXPIRED));
        assertThat(log.list)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("greedy", "reached its maximum hold"));
    }

    @Test
    void shouldForceReleaseCurrentHolder() {
        KbId kb = KbId.of("delta");
        Lease first = await(leases.request(kb, "stuck", Duration.ofSeconds(10)));
        Lease second = await(leases.request(kb, "bot-2", Duration.ofSeconds(10)));

        await(leases.forceRelease(kb));

        assertThat(await(leases.get(first.id())).state()).isEqualTo(LeaseState.RELEASED);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(await(leases.heartbeat(second.id())).state()).isEqualTo(LeaseState.GRANTED));
        await(leases.release(second.id()));
    }

    @Test
    void shouldShowHolderAndWaitersInQueueSnapshots() {
        KbId kb = KbId.of("zeta");
        Lease holder = await(leases.request(kb, "bot-1", Duration.ofSeconds(10)));
        Lease waiter = await(leases.request(kb, "bot-2", Duration.ofSeconds(10)));

        QueueSnapshot snapshot = await(queues.snapshot(kb));

        assertThat(snapshot.holder()).hasValueSatisfying(h -> {
            assertThat(h.holder()).isEqualTo("bot-1");
            assertThat(h.fencingToken()).isEqualTo(holder.fencingToken());
        });
        assertThat(snapshot.waiters())
                .singleElement()
                .satisfies(w -> assertThat(w.ticketId())
                        .isEqualTo(LeaseRef.parse(waiter.id()).ticket()));
        assertThat(await(queues.all())).extracting(q -> q.kb().value()).contains("alpha", "zeta");
        await(leases.release(waiter.id()));
        await(leases.release(holder.id()));
        assertThat(await(queues.snapshot(kb)).holder()).isEmpty();
    }

    @Test
    void shouldRejectUnknownKbAndUnknownLease() {
        assertThatThrownBy(() -> await(leases.request(KbId.of("nope"), "bot", null)))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).isEqualTo("KB_NOT_FOUND"));
        Future<Lease> malformed = leases.heartbeat("not a lease id");
        assertThatThrownBy(() -> await(malformed))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).isEqualTo("LEASE_NOT_FOUND"));
        assertThatThrownBy(() -> await(leases.get("alpha~doesnotexist")))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).isEqualTo("LEASE_NOT_FOUND"));
    }

    private static ListAppender<ILoggingEvent> sweeperLog() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(Sweeper.class)).addAppender(log);
        return log;
    }
}
