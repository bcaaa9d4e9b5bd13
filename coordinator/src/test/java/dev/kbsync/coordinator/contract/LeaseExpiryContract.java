package dev.kbsync.coordinator.contract;

import static dev.kbsync.coordinator.contract.Contracts.await;
import static dev.kbsync.coordinator.contract.Contracts.fails;
import static dev.kbsync.coordinator.contract.Contracts.granted;
import static dev.kbsync.coordinator.contract.Contracts.note;
import static dev.kbsync.coordinator.contract.Contracts.poll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.service.CoordinatorServices;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 5: a grant ends on every path (release, cancel, force-release, no heartbeat within its TTL, the maximum
 * hold even with heartbeats) and the next ticket is granted; a waiter that died in the queue costs the KB at most its
 * keep-alive TTL; a job that overruns the maximum hold on every attempt fails with MAX_HOLD_EXCEEDED.
 */
public abstract class LeaseExpiryContract {
    protected abstract ContractTarget target();

    @Test
    void shouldExpireASilentHolderAndGrantTheNext() {
        KbId kb = target().kb("silent");
        CoordinatorServices services = target().coordinator(0);
        Lease silent = await(services.leases().request(kb, "silent", Duration.ofSeconds(1)));
        Lease next = await(target().coordinator(1).leases().request(kb, "next", Duration.ofSeconds(5)));

        Lease grant = granted(target().coordinator(1), next);

        assertThat(grant.fencingToken()).isGreaterThan(silent.fencingToken());
        fails(ErrorCodes.LEASE_LOST, () -> await(services.leases().heartbeat(silent.id())));
        assertThat(await(services.leases().get(silent.id())).state()).isEqualTo(LeaseState.EXPIRED);
        await(services.leases().release(grant.id()));
    }

    @Test
    void shouldEndAHeartbeatingHolderAtItsMaximumHold() {
        KbId kb = target().kb("max-hold");
        CoordinatorServices services = target().coordinator(1);
        Lease lease = await(services.leases().request(kb, "greedy", Duration.ofSeconds(1)));
        long granted = System.nanoTime();

        Duration held = heartbeatUntilLost(services, lease.id(), granted);

        assertThat(held)
                .isBetween(
                        ContractTarget.CONFIG.maxHold().minusMillis(500),
                        ContractTarget.CONFIG.maxHold().plusSeconds(2));
        assertThat(await(services.leases().get(lease.id())).state()).isEqualTo(LeaseState.EXPIRED);
    }

    @Test
    void shouldFailAJobThatOverrunsTheMaximumHoldOnEveryAttempt() {
        KbId kb = target().kb("overrun");
        CoordinatorServices services = target().coordinator(0);
        Job job = await(services.jobs().submit(kb, "ann", note("endless agent"), Optional.empty()));
        for (int attempt = 1; attempt <= ContractTarget.CONFIG.jobs().maxAttempts(); attempt++) {
            Assignment a = poll(services, kb);
            heartbeatUntilLost(target().coordinator(attempt % 2), a.lease().id(), System.nanoTime());
        }

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> await(services.jobs().get(job.id())).state() == JobState.FAILED);
        assertThat(await(services.jobs().get(job.id())).error().code()).isEqualTo(ErrorCodes.MAX_HOLD_EXCEEDED);
    }

    @Test
    void shouldEndTheGrantOnReleaseCancelAndForceRelease() {
        KbId kb = target().kb("paths");
        CoordinatorServices a = target().coordinator(0);
        CoordinatorServices b = target().coordinator(1);
        Lease first = await(a.leases().request(kb, "first", Duration.ofSeconds(10)));
        Lease cancelled = await(b.leases().request(kb, "cancelled", Duration.ofSeconds(10)));
        Lease second = await(a.leases().request(kb, "second", Duration.ofSeconds(10)));
        Lease third = await(b.leases().request(kb, "third", Duration.ofSeconds(10)));

        assertThat(await(b.leases().release(cancelled.id())).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(await(b.leases().release(first.id())).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(await(b.leases().release(first.id())).state()).isEqualTo(LeaseState.RELEASED);
        Lease secondGrant = granted(a, second);
        await(b.leases().heartbeat(third.id())); // still waiting: kept alive
        await(b.leases().forceRelease(kb));
        Lease thirdGrant = granted(b, third);

        assertThat(await(a.leases().get(secondGrant.id())).state()).isEqualTo(LeaseState.RELEASED);
        assertThat(thirdGrant.fencingToken()).isGreaterThan(secondGrant.fencingToken());
        await(b.leases().release(thirdGrant.id()));
    }

    @Test
    void shouldSkipAWaiterThatDiedInTheQueueWithinItsKeepAlive() {
        KbId kb = target().kb("dead-waiter");
        CoordinatorServices services = target().coordinator(0);
        Lease holder = await(services.leases().request(kb, "holder", Duration.ofSeconds(10)));
        Lease dead = await(services.leases().request(kb, "dies", Duration.ofSeconds(10)));
        Lease live = await(target().coordinator(1).leases().request(kb, "lives", Duration.ofSeconds(10)));
        await(services.leases().heartbeat(dead.id())); // its last sign of life

        long released = System.nanoTime();
        await(services.leases().release(holder.id()));
        Lease grant = granted(target().coordinator(1), live);

        Duration stall = Duration.ofNanos(System.nanoTime() - released);
        assertThat(stall).isLessThan(ContractTarget.CONFIG.waiterTtl().plusSeconds(1));
        await(services.leases().release(grant.id()));
    }

    /** Heartbeats every 250 ms until the lease is lost; how long it was held. */
    private static Duration heartbeatUntilLost(CoordinatorServices services, String leaseId, long since) {
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < giveUp) {
            try {
                await(services.leases().heartbeat(leaseId));
            } catch (ConflictException lost) {
                return Duration.ofNanos(System.nanoTime() - since);
            }
            Contracts.sleep(250);
        }
        throw new AssertionError("never lost " + leaseId);
    }
}
