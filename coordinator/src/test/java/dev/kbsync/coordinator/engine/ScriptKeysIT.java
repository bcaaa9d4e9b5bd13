package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.ScriptMonitor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * Cluster safety: every key an engine script touches is declared in its {@code KEYS}, so a script whose slot is being
 * migrated fails before it writes instead of half-way. Watches Redis with {@code MONITOR} while the engine runs every
 * kind of step: raw leases (granted at once, queued, kept alive, cancelled, expired, force-released), the slow path behind a lock
 * held outside, jobs (submit, poll, group commit, heartbeat, results, a journal job restored onto a keyed one), queue
 * views and the sweep.
 */
class ScriptKeysIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldDeclareEveryKeyAScriptTouches() throws Exception {
        try (Coordinators coordinators = new Coordinators(redis);
                ScriptMonitor monitor = ScriptMonitor.start(redis.port())) {
            Coordinators.Node node = coordinators.start(Coordinators.config("k1"), MetricsSink.NONE);
            coordinators.register(node.engine(), "keys");
            CoordinatorServices services = node.engine().services();
            KbId kb = KbId.of("keys");
            services.queues().watchers().kb(kb);

            Lease held = await(services.leases().request(kb, "a", Duration.ofSeconds(5)));
            Lease waiting = await(services.leases().request(kb, "b", Duration.ofSeconds(5)));
            Lease cancelled = await(services.leases().request(kb, "c", Duration.ofSeconds(5)));
            await(services.leases().heartbeat(waiting.id()));
            try (KeepAlive kept = services.leases().keepAlive(waiting.id())) {
                Thread.sleep(1100); // one beat of the streams' keep-alive at least
            }
            await(services.leases().get(waiting.id()));
            await(services.leases().release(cancelled.id()));
            await(services.queues().snapshot(kb));
            await(services.leases().release(held.id()));
            Lease expiring = LeaseClient.granted(node, waiting)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            Thread.sleep(2500); // not heartbeaten: the sweep expires it
            await(services.leases().get(expiring.id()));

            RedissonClient outsider = coordinators.client(Coordinators.config("outsider"));
            RLock lock = outsider.getFairLock(new KbKeys(kb).lock());
            lock.lock(10, TimeUnit.SECONDS);
            await(services.jobs().submit(kb, "ann", note("one"), Optional.empty()));
            await(services.jobs().submit(kb, "ann", note("two"), Optional.empty()));
            await(services.jobs().submit(kb, "ann", note("three"), Optional.of("idem")));
            dev.kbsync.api.Job journaled = Coordinators.journaled(kb, "ann", note("three"));
            await(services.jobs()
                    .restore(
                            journaled,
                            Optional.of("idem"),
                            "",
                            dev.kbsync.coordinator.service.Restoration.queued())); // onto the keyed job
            await(services.jobs().get(journaled.id()));
            lock.unlock(); // the driver's slow path takes it for the first job
            Assignment head =
                    await(services.jobs().poll("w", Duration.ofSeconds(10))).orElseThrow();
            List<Assignment> members = await(services.jobs().extend(head.lease().id(), 1));
            await(services.leases().heartbeat(head.lease().id()));
            await(services.jobs().get(head.job().id()));
            await(services.jobs().complete(members.get(0).job().id(), done(members.get(0))));
            await(services.jobs().complete(head.job().id(), done(head)));
            Assignment last =
                    await(services.jobs().poll("w", Duration.ofSeconds(10))).orElseThrow();
            await(services.leases().forceRelease(kb));
            Assignment again =
                    await(services.jobs().poll("w", Duration.ofSeconds(10))).orElseThrow();
            await(services.jobs()
                    .complete(
                            last.job().id(),
                            new JobOutcome.Failed(again.lease().id(), new JobError("PUSH_REJECTED", "no"), 1)));
            Thread.sleep(500);
            outsider.shutdown();

            assertThat(monitor.scripts()).isGreaterThan(20);
            assertThat(monitor.undeclared())
                    .as("keys touched without being declared")
                    .isEmpty();
        }
    }

    private static JobOutcome done(Assignment a) {
        return new JobOutcome.Done(a.lease().id(), "abc123", List.of(), 0);
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
