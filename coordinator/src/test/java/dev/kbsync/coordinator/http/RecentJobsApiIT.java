package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.api.client.KbsyncClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/kbs/{kb}/recent-jobs} on the real engine: finished jobs, newest first, bounded, failures kept apart. */
class RecentJobsApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_LEASE_TTL_SECONDS", "10"));

    @Test
    void shouldListFinishedJobsNewestFirstWithFailuresKeptApart() {
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        List<String> finished = new ArrayList<>();
        for (int i = 0; i < RecentJobs.MAX_JOBS + 2; i++) {
            Job job = client.submitNote(KbId.of("demo"), NoteRequest.of("user-" + i, "note " + i));
            Assignment a = worker.poll("w-1", Duration.ofSeconds(5)).orElseThrow();
            assertThat(a.job().id()).isEqualTo(job.id());
            JobOutcome outcome = i == 1
                    ? new JobOutcome.Failed(a.lease().id(), new JobError("PUSH_REJECTED", "gave up"), 3)
                    : new JobOutcome.Done(
                            a.lease().id(),
                            String.format("c0ffee%034d", i),
                            "https://github.com/acme/demo/commit/c0ffee",
                            List.of(),
                            0);
            worker.reportResult(job.id(), outcome);
            finished.add(0, job.id());
        }
        String queued = client.submitNote(KbId.of("demo"), NoteRequest.of("late", "still queued"))
                .id();

        RecentJobs recent = RecentJobs.fromJson(
                api.call(GET, "/v1/kbs/demo/recent-jobs", CLIENT).bodyAsJsonObject());

        assertThat(recent.jobs())
                .extracting(Job::id)
                .containsExactlyElementsOf(finished.subList(0, RecentJobs.MAX_JOBS));
        assertThat(recent.jobs()).extracting(Job::id).doesNotContain(queued);
        assertThat(recent.jobs().get(0).state()).isEqualTo(JobState.DONE);
        assertThat(recent.jobs().get(0).commitUrl()).isEqualTo("https://github.com/acme/demo/commit/c0ffee");
        assertThat(recent.jobs().get(0).finishedAt()).isNotNull();
        assertThat(recent.failures()).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo(finished.get(finished.size() - 2));
            assertThat(f.state()).isEqualTo(JobState.FAILED);
            assertThat(f.error().code()).isEqualTo("PUSH_REJECTED");
        });
        assertThat(RecentJobs.fromJson(api.call(GET, "/v1/kbs/boom/recent-jobs", CLIENT)
                                .bodyAsJsonObject())
                        .jobs())
                .as("another KB's list")
                .isEmpty();
    }

    @Test
    void shouldRefuseUnknownOrInvalidKbsAndMissingTokens() {
        assertError(api.call(GET, "/v1/kbs/nope/recent-jobs", CLIENT), 404, "KB_NOT_FOUND");
        assertError(api.call(GET, "/v1/kbs/Bad%20KB/recent-jobs", CLIENT), 400, "INVALID_KB");
        assertError(api.call(GET, "/v1/kbs/demo/recent-jobs", null), 401, "UNAUTHENTICATED");
    }
}
