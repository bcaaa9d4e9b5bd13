package dev.kbsync.coordinator.contract;

import static dev.kbsync.coordinator.contract.Contracts.await;
import static dev.kbsync.coordinator.contract.Contracts.fails;
import static dev.kbsync.coordinator.contract.Contracts.note;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.service.CoordinatorServices;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guarantee 8 at the service level: a request for something that does not exist, or with an id that cannot be one,
 * fails with its code and stores nothing.
 */
public abstract class BadInputContract {
    protected abstract ContractTarget target();

    @Test
    void shouldRefuseAnUnregisteredKbAndStoreNothing() {
        CoordinatorServices services = target().coordinator(0);
        KbId nowhere = KbId.of("never-registered");
        long keys = target().storedKeys();

        fails("KB_NOT_FOUND", () -> await(services.leases().request(nowhere, "h", Duration.ofSeconds(5))));
        fails("KB_NOT_FOUND", () -> await(services.jobs().submit(nowhere, "ann", note("x"), Optional.empty())));
        fails("KB_NOT_FOUND", () -> await(services.queues().snapshot(nowhere)));
        fails("KB_NOT_FOUND", () -> await(services.leases().forceRelease(nowhere)));

        assertThat(target().storedKeys()).isEqualTo(keys);
    }

    @Test
    void shouldRefuseABlankHolderAndStoreNothing() {
        KbId kb = target().kb("holder");
        long keys = target().storedKeys();

        fails("INVALID_HOLDER", () -> await(target().coordinator(1).leases().request(kb, " ", Duration.ofSeconds(5))));

        assertThat(target().storedKeys()).isEqualTo(keys);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope", "kb~", "~x", "x~y.1", "x~y.z.n", "x~y.1.", "UPPER~abc"})
    void shouldAnswerNotFoundForLeaseIdsThatCannotBeLeases(String leaseId) {
        CoordinatorServices services = target().coordinator(1);

        fails("LEASE_NOT_FOUND", () -> await(services.leases().get(leaseId)));
        fails("LEASE_NOT_FOUND", () -> await(services.leases().release(leaseId)));
        fails("LEASE_NOT_FOUND", () -> await(services.leases().heartbeat(leaseId)));
        fails(ErrorCodes.LEASE_LOST, () -> await(services.jobs().extend(leaseId, 4)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing~0123456789abcdef01234567", "missing~0123456789abcdef01234567.7.abcdef"})
    void shouldAnswerNotFoundOrLostForLeasesThatDoNotExist(String leaseId) {
        CoordinatorServices services = target().coordinator(0);

        fails("LEASE_NOT_FOUND", () -> await(services.leases().get(leaseId)));
        fails("LEASE_NOT_FOUND", () -> await(services.leases().release(leaseId)));
        fails(ErrorCodes.LEASE_LOST, () -> await(services.leases().heartbeat(leaseId)));
        fails(ErrorCodes.LEASE_LOST, () -> await(services.jobs().extend(leaseId, 4)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope", "kb~", "x~y.z", "missing~0123456789abcdef01234567"})
    void shouldAnswerNotFoundForJobsThatDoNotExist(String jobId) {
        CoordinatorServices services = target().coordinator(0);
        JobOutcome outcome = new JobOutcome.Failed("missing~00.1.aa", new JobError("X", "y"), 0);

        fails("JOB_NOT_FOUND", () -> await(services.jobs().get(jobId)));
        fails("JOB_NOT_FOUND", () -> await(services.jobs().complete(jobId, outcome)));
    }

    @Test
    void shouldRefuseAResultUnderALeaseThatIsNotTheJobs() {
        KbId kb = target().kb("foreign");
        CoordinatorServices services = target().coordinator(0);
        var job = await(services.jobs().submit(kb, "ann", note("mine"), Optional.empty()));
        var a = Contracts.poll(services, kb);

        fails(
                ErrorCodes.LEASE_LOST,
                () -> await(services.jobs()
                        .complete(job.id(), new JobOutcome.Done("lease-of-someone-else", "c", List.of(), 0))));
        await(services.jobs().complete(job.id(), Contracts.done(a)));
    }
}
