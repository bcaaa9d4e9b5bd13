package dev.kbsync.coordinator.contract;

import static dev.kbsync.coordinator.contract.Contracts.await;
import static dev.kbsync.coordinator.contract.Contracts.granted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.service.CoordinatorServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 1: at most one holder per KB at a time, across coordinators; grants in request order; KBs independent.
 * Holders record their critical sections with a monotonic clock; no two may overlap.
 */
public abstract class MutualExclusionContract {
    protected abstract ContractTarget target();

    private record Section(String holder, long fence, long enter, long exit) {}

    @Test
    void shouldNeverOverlapTheHoldersOfOneKbAcrossCoordinators() {
        KbId kb = target().kb("mutex");
        List<Section> sections = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> holders = new ArrayList<>();
        for (int h = 0; h < 6; h++) {
            CoordinatorServices services = target().coordinator(h % 2);
            String name = "holder-" + h;
            holders.add(() -> {
                for (int round = 0; round < 3; round++) {
                    Lease lease = granted(services, await(services.leases().request(kb, name, Duration.ofSeconds(5))));
                    long enter = System.nanoTime();
                    Contracts.sleep(15);
                    sections.add(new Section(name, lease.fencingToken(), enter, System.nanoTime()));
                    await(services.leases().release(lease.id()));
                }
            });
        }
        Contracts.parallel(holders);

        List<Section> ordered = sections.stream()
                .sorted(Comparator.comparingLong(Section::enter))
                .toList();
        assertThat(ordered).hasSize(18);
        for (int i = 1; i < ordered.size(); i++) {
            assertThat(ordered.get(i).enter())
                    .as("%s entered before %s left", ordered.get(i), ordered.get(i - 1))
                    .isGreaterThan(ordered.get(i - 1).exit());
            assertThat(ordered.get(i).fence()).isGreaterThan(ordered.get(i - 1).fence());
        }
    }

    @Test
    void shouldGrantInRequestOrderWhicheverCoordinatorWasAsked() {
        KbId kb = target().kb("fifo");
        Lease first = await(target().coordinator(0).leases().request(kb, "first", Duration.ofSeconds(10)));
        List<Lease> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(await(target().coordinator(i % 2).leases().request(kb, "w" + i, Duration.ofSeconds(10))));
        }
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> clients = new ArrayList<>();
        for (int i = 0; i < waiting.size(); i++) {
            CoordinatorServices services = target().coordinator(i % 2);
            Lease lease = waiting.get(i);
            clients.add(() -> {
                Lease grant = granted(services, lease);
                order.add(grant.holder());
                await(services.leases().release(grant.id()));
            });
        }
        clients.add(() -> {
            Contracts.sleep(300);
            await(target().coordinator(1).leases().release(first.id()));
        });

        Contracts.parallel(clients);

        assertThat(order).containsExactly("w0", "w1", "w2", "w3");
    }

    @Test
    void shouldGrantAnotherKbWhileOneIsHeld() {
        KbId busy = target().kb("busy");
        KbId free = target().kb("free");
        Lease held = await(target().coordinator(0).leases().request(busy, "long", Duration.ofSeconds(10)));

        Lease other = await(target().coordinator(1).leases().request(free, "other", Duration.ofSeconds(10)));

        assertThat(held.state()).isEqualTo(LeaseState.GRANTED);
        assertThat(other.state()).isEqualTo(LeaseState.GRANTED);
        await(target().coordinator(0).leases().release(held.id()));
        await(target().coordinator(1).leases().release(other.id()));
    }
}
