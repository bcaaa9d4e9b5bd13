package dev.kbsync.coordinator.contract;

import static dev.kbsync.coordinator.contract.Contracts.await;
import static dev.kbsync.coordinator.contract.Contracts.done;
import static dev.kbsync.coordinator.contract.Contracts.failed;
import static dev.kbsync.coordinator.contract.Contracts.fails;
import static dev.kbsync.coordinator.contract.Contracts.note;
import static dev.kbsync.coordinator.contract.Contracts.poll;
import static dev.kbsync.coordinator.contract.Contracts.pollBriefly;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.service.CoordinatorServices;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 3 at the job level: an acknowledged job is stored (and queued) before the answer; it is handed to a worker
 * until one outcome is recorded, and never again after; an outcome counts only under the job's live grant and is
 * recorded in the same step that releases it (a retry of the same report is harmless); a job whose workers keep going
 * silent fails after its attempts instead of blocking its KB for good.
 */
public abstract class ExactlyOnceContract {
    protected abstract ContractTarget target();

    @Test
    void shouldStoreAJobBeforeAcknowledgingItAndShowItOnEveryCoordinator() {
        KbId kb = target().kb("stored");
        Job job = await(target().coordinator(0).jobs().submit(kb, "ann", note("kept"), Optional.empty()));

        Job read = await(target().coordinator(1).jobs().get(job.id()));

        assertThat(read.id()).isEqualTo(job.id()).matches("[A-Za-z0-9._:~-]{1,128}");
        assertThat(read.state()).isEqualTo(JobState.QUEUED);
        assertThat(read.payload()).isEqualTo(note("kept"));
        Assignment a = poll(target().coordinator(1), kb);
        await(target().coordinator(0).jobs().complete(job.id(), done(a)));
    }

    @Test
    void shouldRecordOneOutcomeAnswerItsRetryAndNeverHandTheJobOutAgain() {
        KbId kb = target().kb("once");
        CoordinatorServices services = target().coordinator(0);
        Job job = await(services.jobs().submit(kb, "ann", note("once"), Optional.empty()));
        Assignment a = poll(services, kb);

        Job finished = await(services.jobs().complete(job.id(), done(a)));
        Job retried = await(target().coordinator(1).jobs().complete(job.id(), done(a)));

        assertThat(finished.state()).isEqualTo(JobState.DONE);
        assertThat(finished.commit()).isEqualTo("c0mm17");
        assertThat(retried).isEqualTo(finished);
        assertThat(pollBriefly(services)).isEmpty();
        JobOutcome other = new JobOutcome.Done(a.lease().id() + "0", "other", List.of(), 0);
        fails("JOB_FINISHED", () -> await(services.jobs().complete(job.id(), other)));
    }

    @Test
    void shouldRefuseAStaleWorkersOutcomeOnceTheJobWasHandedOutAgain() {
        KbId kb = target().kb("stale-outcome");
        CoordinatorServices services = target().coordinator(1);
        Job job = await(services.jobs().submit(kb, "ann", note("contested"), Optional.empty()));
        Assignment silent = poll(services, kb); // its worker goes silent: the grant lapses, the job runs again
        Assignment retry = poll(target().coordinator(0), kb);

        fails(ErrorCodes.LEASE_LOST, () -> await(services.jobs().complete(job.id(), failed(silent))));
        Job landed = await(services.jobs().complete(job.id(), done(retry)));

        assertThat(retry.job().attempts()).isEqualTo(2);
        assertThat(landed.state()).isEqualTo(JobState.DONE);
        assertThat(await(services.jobs().get(job.id())).state()).isEqualTo(JobState.DONE);
    }

    @Test
    void shouldReturnTheFirstJobForTheSameIdempotencyKeyOnEitherCoordinator() {
        KbId kb = target().kb("idem");
        Job first = await(target().coordinator(0).jobs().submit(kb, "ann", note("one"), Optional.of("key-1")));
        Job again = await(target().coordinator(1).jobs().submit(kb, "ann", note("one"), Optional.of("key-1")));

        assertThat(again.id()).isEqualTo(first.id());
        fails(
                "IDEMPOTENCY_MISMATCH",
                () -> await(target().coordinator(1).jobs().submit(kb, "ann", note("two"), Optional.of("key-1"))));
        Assignment a = poll(target().coordinator(0), kb);
        await(target().coordinator(0).jobs().complete(first.id(), done(a)));
        assertThat(pollBriefly(target().coordinator(0))).isEmpty();
    }

    @Test
    void shouldFailAJobWhoseWorkersGoSilentOnEveryAttemptAndRunTheNext() {
        KbId kb = target().kb("attempts");
        CoordinatorServices services = target().coordinator(0);
        Job stuck = await(services.jobs().submit(kb, "ann", note("never reported"), Optional.empty()));
        Job next = await(services.jobs().submit(kb, "ann", note("next"), Optional.empty()));
        for (int attempt = 1; attempt <= ContractTarget.CONFIG.jobs().maxAttempts(); attempt++) {
            assertThat(poll(services, kb).job().id()).isEqualTo(stuck.id());
        }

        Assignment after = poll(target().coordinator(1), kb);

        assertThat(after.job().id()).isEqualTo(next.id());
        Job failed = await(services.jobs().get(stuck.id()));
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error().code()).isEqualTo(ErrorCodes.LEASE_EXPIRED);
        await(services.jobs().complete(next.id(), done(after)));
    }
}
