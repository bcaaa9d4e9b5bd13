package dev.kbsync.coordinator.contract;

import static dev.kbsync.coordinator.contract.Contracts.await;
import static dev.kbsync.coordinator.contract.Contracts.done;
import static dev.kbsync.coordinator.contract.Contracts.fails;
import static dev.kbsync.coordinator.contract.Contracts.note;
import static dev.kbsync.coordinator.contract.Contracts.poll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.service.CoordinatorServices;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 2: every grant of a KB carries a fencing token larger than all before it (raw leases, jobs, group-commit
 * members alike) and a lease id of its own; a lease that is no longer the current grant is refused everywhere; a grant
 * tells its holder its hard deadline, and a job the token of its first grant.
 */
public abstract class FencingContract {
    protected abstract ContractTarget target();

    @Test
    void shouldIssueStrictlyIncreasingTokensToRawLeasesJobsAndGroupCommitMembers() {
        KbId kb = target().kb("tokens");
        CoordinatorServices a = target().coordinator(0);
        CoordinatorServices b = target().coordinator(1);
        Lease raw = await(a.leases().request(kb, "raw", Duration.ofSeconds(5)));
        await(a.leases().release(raw.id()));
        await(b.jobs().submit(kb, "ann", note("head"), Optional.empty()));
        await(a.jobs().submit(kb, "ann", note("member"), Optional.empty()));
        Assignment head = poll(b, kb);
        List<Assignment> members = await(b.jobs().extend(head.lease().id(), 4));
        await(b.jobs().complete(members.get(0).job().id(), done(members.get(0))));
        await(a.jobs().complete(head.job().id(), done(head)));
        Lease after = await(b.leases().request(kb, "raw-again", Duration.ofSeconds(5)));
        await(b.leases().release(after.id()));

        assertThat(List.of(
                        raw.fencingToken(),
                        head.lease().fencingToken(),
                        members.get(0).lease().fencingToken(),
                        after.fencingToken()))
                .isSorted()
                .doesNotHaveDuplicates();
    }

    @Test
    void shouldGiveEveryGrantItsOwnLeaseIdAndRefuseTheOneItReplaced() {
        KbId kb = target().kb("stale");
        CoordinatorServices services = target().coordinator(0);
        await(services.jobs().submit(kb, "ann", note("granted twice"), Optional.empty()));
        await(services.jobs().submit(kb, "ann", note("behind"), Optional.empty()));
        Assignment first = poll(services, kb);

        await(target().coordinator(1).leases().release(first.lease().id())); // back to queued, at the head
        Assignment second = poll(services, kb);

        assertThat(second.job().id()).isEqualTo(first.job().id());
        assertThat(second.lease().id()).isNotEqualTo(first.lease().id());
        assertThat(second.lease().fencingToken()).isGreaterThan(first.lease().fencingToken());
        fails(
                ErrorCodes.LEASE_LOST,
                () -> await(services.leases().heartbeat(first.lease().id())));
        fails(
                ErrorCodes.LEASE_LOST,
                () -> await(services.jobs().extend(first.lease().id(), 4)));
        fails(
                ErrorCodes.LEASE_LOST,
                () -> await(services.jobs().complete(first.job().id(), done(first))));
        await(services.jobs().complete(second.job().id(), done(second)));
        Assignment behind = poll(services, kb);
        await(services.jobs().complete(behind.job().id(), done(behind)));
    }

    @Test
    void shouldTellTheHolderItsHardDeadlineAndAJobItsFirstToken() {
        KbId kb = target().kb("deadline");
        CoordinatorServices services = target().coordinator(1);
        await(services.jobs().submit(kb, "ann", note("fenced"), Optional.empty()));
        Assignment first = poll(services, kb);
        await(services.leases().release(first.lease().id()));
        Assignment second = poll(services, kb);

        Duration hold =
                Duration.between(second.lease().grantedAt(), second.lease().deadlineAt());
        assertThat(hold).isBetween(ContractTarget.CONFIG.maxHold().minusSeconds(1), ContractTarget.CONFIG.maxHold());
        assertThat(second.lease().expiresAt()).isBeforeOrEqualTo(second.lease().deadlineAt());
        assertThat(first.job().firstFencingToken()).isEqualTo(first.lease().fencingToken());
        assertThat(second.job().firstFencingToken()).isEqualTo(first.lease().fencingToken());
        assertThat(second.job().fencingToken()).isEqualTo(second.lease().fencingToken());
        Lease beat = await(services.leases().heartbeat(second.lease().id()));
        assertThat(beat.deadlineAt()).isEqualTo(second.lease().deadlineAt());
        await(services.jobs().complete(second.job().id(), done(second)));
    }
}
