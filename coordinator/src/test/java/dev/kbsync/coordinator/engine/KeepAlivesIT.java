package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.ScriptMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's batched keep-alives (what open lease streams hold): at most 100 leases to a script, and a lease kept
 * alive by two holders stays kept until both closed theirs; the holders of a lease that ends are told once.
 */
class KeepAlivesIT {
    private static final int WAITERS = 150;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldKeepAKbsLeasesAliveInScriptsOfAtMostAHundredUntilTheirLastHolderCloses() throws Exception {
        try (Coordinators coordinators = new Coordinators(redis)) {
            Engine engine = coordinators.start(Coordinators.config("ka")); // waiters leave after 3 s unless kept
            coordinators.register(engine, "many");
            KbId kb = KbId.of("many");
            LeaseService leases = engine.services().leases();
            Lease holder = await(leases.request(kb, "holder", Duration.ofSeconds(20)));
            assertThat(holder.state()).isEqualTo(LeaseState.GRANTED);
            List<String> waiters = new ArrayList<>();
            List<KeepAlive> kept = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                String id = await(leases.request(kb, "w" + i, Duration.ofSeconds(20)))
                        .id();
                waiters.add(id);
                kept.add(leases.keepAlive(id));
            }
            KeepAlive second = leases.keepAlive(waiters.get(0)); // a second stream of the same lease
            KeepAlive third = leases.keepAlive(waiters.get(2));

            Thread.sleep(1500);
            int scripts;
            try (ScriptMonitor monitor = ScriptMonitor.start(redis.port())) {
                Thread.sleep(3000); // three beats, longer than the waiter TTL
                scripts = monitor.scriptsWithArgument(waiters);
            }
            assertThat(scripts).as("two scripts a beat for 150 leases").isBetween(4, 8);
            for (String id : waiters) {
                assertThat(await(leases.get(id)).state()).as(id).isEqualTo(LeaseState.WAITING);
            }

            kept.get(0).close(); // its second holder still keeps it
            kept.get(1).close(); // nobody keeps it
            third.close();
            third.close(); // closing twice closes one holder only
            Thread.sleep(4500);
            assertThat(await(leases.get(waiters.get(0))).state()).isEqualTo(LeaseState.WAITING);
            assertThat(await(leases.get(waiters.get(1))).state()).isNotEqualTo(LeaseState.WAITING);
            assertThat(await(leases.get(waiters.get(2))).state()).isEqualTo(LeaseState.WAITING);
            second.close();
            kept.forEach(KeepAlive::close);
        }
    }

    @Test
    void shouldTellEachOpenHolderOnceWhenTheirLeaseEnds() throws Exception {
        try (Coordinators coordinators = new Coordinators(redis)) {
            Engine engine = coordinators.start(Coordinators.config("ka-lost"));
            coordinators.register(engine, "lost");
            LeaseService leases = engine.services().leases();
            String id = await(leases.request(KbId.of("lost"), "holder", Duration.ofSeconds(20)))
                    .id();
            AtomicInteger first = new AtomicInteger();
            AtomicInteger second = new AtomicInteger();
            AtomicInteger closed = new AtomicInteger();
            leases.keepAlive(id, first::incrementAndGet);
            leases.keepAlive(id, second::incrementAndGet);
            leases.keepAlive(id, closed::incrementAndGet).close();

            await(leases.release(id));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> first.get() == 1 && second.get() == 1);
            Thread.sleep(2500); // later beats leave a lost lease out: nobody is told twice
            assertThat(first).hasValue(1);
            assertThat(second).hasValue(1);
            assertThat(closed).hasValue(0);
            AtomicInteger late = new AtomicInteger();
            leases.keepAlive(id, late::incrementAndGet); // a holder that comes after the loss learns it at once
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> late.get() == 1);
        }
    }
}
