package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static dev.kbsync.coordinator.engine.Coordinators.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Sweep;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.ScriptMonitor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RBucket;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic sweep costs Redis nothing per tick for a KB with nothing to do (no ticket, no grant, no waiter, nothing
 * due), nor for a KB whose head holds it: such a KB is looked at again only when something happens to it, or when the
 * next thing it must do falls due (its grant's expiry, a waiter's keep-alive, a record's
 * retention, a webhook), or after a few seconds at the latest; a KB whose job grant waits for a worker at least once a
 * second, to keep it dispatchable. What falls due is still done on time.
 */
class QuietSweepIT {
    private static final Logger LOG = LoggerFactory.getLogger(QuietSweepIT.class);
    private static final int IDLE_KBS = 200;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static Coordinators.Node node;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        node = coordinators.start(Coordinators.config("q1"), MetricsSink.NONE); // sweep every 100 ms
        coordinators.register(
                node.engine(),
                IntStream.range(0, IDLE_KBS).mapToObj(i -> "idle-" + i).toArray(String[]::new));
        coordinators.register(node.engine(), "busy");
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldNotSweepIdleKbsOnEveryTick() throws InterruptedException {
        Thread.sleep(500); // the first passes see every KB once
        long before = scriptCalls();
        Thread.sleep(2000); // 20 ticks
        long calls = scriptCalls() - before;
        LOG.info("{} script calls in 2 s of sweeping {} idle KBs every 100 ms", calls, IDLE_KBS);
        assertThat(calls)
                .as("script calls in 2 s (every KB on every tick would be %d)", IDLE_KBS * 20)
                .isLessThan(IDLE_KBS * 2);
    }

    @Test
    void shouldLetAKbWhoseHeadHoldsItRestUntilSomethingFallsDue() throws InterruptedException {
        KbId kb = KbId.of("held");
        coordinators.register(node.engine(), kb.value());
        Lease held = await(node.engine().services().leases().request(kb, "holder", Duration.ofSeconds(30)));
        assertThat(held.state()).isEqualTo(LeaseState.GRANTED);
        await(node.engine().services().jobs().submit(kb, "ann", note("waits"), Optional.empty()));
        Thread.sleep(300);
        int calls;
        try (ScriptMonitor monitor = ScriptMonitor.start(redis.port())) {
            Thread.sleep(2000); // 20 ticks
            calls = monitor.scripts(new KbKeys(kb).queue());
        }
        LOG.info("{} script calls on a KB with a live grant and a queued job in 2 s of ticks every 100 ms", calls);
        // nothing falls due before its rest's 1 s cap: two passes, three at most, not 20
        assertThat(calls).as("script calls in 20 ticks").isLessThanOrEqualTo(3);
    }

    @Test
    void shouldEndARestingKbsGrantAtItsExpiry() {
        KbId kb = KbId.of("resting-expiry");
        coordinators.register(node.engine(), kb.value());
        // taken before the request: the grant's expiry is counted from Redis' clock when the script ran, which can be
        // before the reply reaches this thread
        long granted = System.nanoTime();
        Lease held = await(node.engine().services().leases().request(kb, "holder", Duration.ofMillis(1400)));
        Lease waiter = await(node.engine().services().leases().request(kb, "next", Duration.ofSeconds(30)));
        assertThat(waiter.state()).isEqualTo(LeaseState.WAITING);
        // nothing keeps the waiter alive (a keep-alive step would end the overdue grant itself): only the sweep does
        Lease next = waiter;
        while (next.state() != LeaseState.GRANTED) { // the holder sends no heartbeat: its 1.4 s lapses
            assertThat(Duration.ofNanos(System.nanoTime() - granted)).isLessThan(Duration.ofSeconds(5));
            sleep(20);
            next = await(node.engine().services().leases().get(waiter.id()));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - granted);
        LOG.info("a resting KB's 1.4 s grant ended and the next waiter was granted after {} ms", took.toMillis());
        assertThat(await(node.engine().services().leases().get(held.id())).state())
                .isEqualTo(LeaseState.EXPIRED);
        // its expiry is when the sweep looks again: within a tick or two of it. Rests of 1 s alone (sweeps at about
        // 0.1, 1.2 and 2.3 s) would end it at about 2.3 s. A 1.4 s grant leaves 0.75 s for a loaded machine's late
        // timers (a loaded full run took 2.36 s for a 1.6 s grant, whose bound, 2 s, left 0.4 s)
        assertThat(took).isBetween(Duration.ofMillis(1400), Duration.ofMillis(2150));
    }

    @Test
    void shouldDropAWaiterNotKeptAliveFromARestingKb() {
        KbId kb = KbId.of("resting-waiter");
        coordinators.register(node.engine(), kb.value());
        await(node.engine().services().leases().request(kb, "holder", Duration.ofSeconds(30)));
        // taken before the request, as the keep-alive deadline is counted from when the script ran (it dropped the
        // waiter 2.999 s after its reply once, on a busy machine)
        long joined = System.nanoTime();
        Lease waiter = await(node.engine().services().leases().request(kb, "gone", Duration.ofSeconds(30)));
        sleep(2600);
        // a change 2.6 s in: the KB is swept and rests again, until the waiter's keep-alive lapses at 3 s, not a full 1
        // s
        await(node.engine().services().leases().request(kb, "bystander", Duration.ofSeconds(30)));
        // the queue itself, not the lease's state (a read shows a waiter past its keep-alive as expired at once)
        RScoredSortedSet<String> queue = node.client().getScoredSortedSet(new KbKeys(kb).queue(), StringCodec.INSTANCE);
        assertThat(queue.size()).as("holder, gone, bystander").isEqualTo(3);
        while (queue.size() == 3) { // nobody keeps "gone" alive: it leaves the queue after 3 s
            assertThat(Duration.ofNanos(System.nanoTime() - joined)).isLessThan(Duration.ofSeconds(8));
            sleep(20);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - joined);
        LOG.info("a waiter not kept alive on a resting KB left the queue after {} ms", took.toMillis());
        assertThat(await(node.engine().services().leases().get(waiter.id())).state())
                .isEqualTo(LeaseState.EXPIRED);
        // rests of 1 s alone (sweeps at about 2.7 and 3.8 s) would drop it at about 3.8 s
        assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofMillis(3400));
    }

    @Test
    void shouldKeepDrivingAHeldKbPastItsDriverKeysTtl() {
        KbId kb = KbId.of("resting-driver");
        coordinators.register(node.engine(), kb.value());
        await(node.engine().services().leases().request(kb, "holder", Duration.ofSeconds(30)));
        await(node.engine().services().jobs().submit(kb, "ann", note("waits"), Optional.empty()));
        RBucket<String> driver = node.client().getBucket(new KbKeys(kb).prefix() + "driver", StringCodec.INSTANCE);
        long start = System.nanoTime();
        while (System.nanoTime() - start < Duration.ofMillis(400).toNanos() && driver.get() == null) {
            sleep(20);
        }
        // the key lives 3 s (twice the lock watchdog): a resting KB is swept again before it lapses
        while (System.nanoTime() - start < Duration.ofSeconds(7).toNanos()) {
            assertThat(driver.get()).as("the KB's driver key").isEqualTo("q1");
            sleep(100);
        }
    }

    @Test
    void shouldKeepAJobGrantNoWorkerTookDispatchableWithOneSweepASecond() throws InterruptedException {
        KbId kb = KbId.of("backlog");
        coordinators.register(node.engine(), kb.value());
        Job waiting = await(node.engine().services().jobs().submit(kb, "ann", note("no worker"), Optional.empty()));
        RScoredSortedSet<String> ready = node.client().getScoredSortedSet("kbsync:ready", StringCodec.INSTANCE);
        try {
            Thread.sleep(300);
            assertThat(ready.contains(kb.value())).as("dispatched when granted").isTrue();
            int calls;
            try (ScriptMonitor monitor = ScriptMonitor.start(redis.port())) {
                Thread.sleep(3000); // 30 ticks
                calls = monitor.scripts(new KbKeys(kb).queue());
            }
            LOG.info("{} script calls in 3 s on a KB whose job grant waits for a worker", calls);
            // one sweep a second at most, besides the two steps each time the unclaimed grant's 1.5 s TTL lapses (the
            // sweep that ends and grants it again, the sweep the change asks for): 6-8, not 30
            assertThat(calls).as("script calls in 30 ticks").isBetween(2, 10);

            ready.remove(kb.value()); // lost, as with a coordinator that died between granting and dispatching
            long lost = System.nanoTime();
            while (!ready.contains(kb.value())) {
                assertThat(Duration.ofNanos(System.nanoTime() - lost)).isLessThan(Duration.ofSeconds(3));
                sleep(20);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - lost);
            LOG.info("a lost ready entry was back after {} ms", took.toMillis());
            assertThat(took).isLessThan(Sweep.BUSY_MAX.plusMillis(300));
        } finally {
            await(node.engine().services().jobs().cancel(waiting.id(), Optional.empty()));
        }
    }

    @Test
    void shouldStillExpireAGrantOnAKbThatWasIdle() {
        KbId kb = KbId.of("busy");
        await(node.engine().services().jobs().submit(kb, "ann", note("lost"), Optional.empty()));
        Assignment first = await(node.engine().services().jobs().poll("w", Duration.ofSeconds(5)))
                .orElseThrow();
        long taken = System.nanoTime();
        // no heartbeat: the 1.5 s lease lapses and the sweep queues the job again for the next poll
        Assignment again = await(node.engine().services().jobs().poll("w2", Duration.ofSeconds(10)))
                .orElseThrow();
        assertThat(again.job().id()).isEqualTo(first.job().id());
        assertThat(Duration.ofNanos(System.nanoTime() - taken)).isLessThan(Duration.ofSeconds(5));
        Lease lease = again.lease();
        assertThat(lease.fencingToken()).isGreaterThan(first.lease().fencingToken());
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }

    private static long scriptCalls() {
        Map<String, String> stats =
                node.client().getRedisNodes(RedisNodes.SINGLE).getInstance().info(RedisNode.InfoSection.COMMANDSTATS);
        return calls(stats, "cmdstat_evalsha") + calls(stats, "cmdstat_eval");
    }

    private static long calls(Map<String, String> stats, String name) {
        String line = stats.get(name);
        if (line == null) {
            return 0;
        }
        for (String part : line.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring("calls=".length()));
            }
        }
        return 0;
    }
}
