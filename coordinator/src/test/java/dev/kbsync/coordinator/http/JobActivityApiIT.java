package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobQuery;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.event.JobEvent;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A running job says what its worker's last heartbeat said it is doing ({@code doing}) on {@code GET /v1/jobs/{id}},
 * the job list and the job's event stream; a queued or finished job, or one whose worker said nothing, has no
 * {@code doing}, and what one worker said is gone with its grant (given back, finished).
 */
class JobActivityApiIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    private final KbsyncClient client = api.client(CLIENT);
    private final KbsyncClient worker = api.client(WORKER);

    @Test
    void shouldShowWhatTheWorkerLastSaidWhileTheJobRuns() {
        api.kb("doing-run");
        Job job = client.submitNote(KbId.of("doing-run"), NoteRequest.of("dana", "hello"));
        assertThat(wire(job.id()).containsKey("doing")).as("queued").isFalse();

        Assignment assignment = worker.poll("w-doing", WAIT).orElseThrow();
        assertThat(assignment.job().id()).isEqualTo(job.id());
        assertThat(wire(job.id()).getString("state")).isEqualTo("running");
        assertThat(wire(job.id()).containsKey("doing"))
                .as("running, nothing said yet")
                .isFalse();

        worker.heartbeat(assignment.lease().id(), "waiting for https://git.example.com/team.git to answer");
        assertThat(client.job(job.id()).doing()).isEqualTo("waiting for https://git.example.com/team.git to answer");
        assertThat(listed("doing-run", job.id()).doing())
                .as("the list reads it in the KB's own script")
                .isEqualTo("waiting for https://git.example.com/team.git to answer");
        try (EventStream<JobEvent> events = client.jobEvents(job.id())) {
            assertThat(events.next(WAIT).job().doing())
                    .as("the stream's first frame: the job as it is now")
                    .isEqualTo("waiting for https://git.example.com/team.git to answer");
        }

        worker.heartbeat(assignment.lease().id(), "committing");
        assertThat(client.job(job.id()).doing()).isEqualTo("committing");
        worker.heartbeat(assignment.lease().id(), " ");
        assertThat(wire(job.id()).containsKey("doing"))
                .as("a blank one says nothing")
                .isFalse();
        worker.heartbeat(assignment.lease().id(), "in the push");

        worker.reportResult(
                job.id(),
                new JobOutcome.Done(assignment.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
        JsonObject done = wire(job.id());
        assertThat(done.getString("state")).isEqualTo("done");
        assertThat(done.containsKey("doing")).as("finished").isFalse();
        assertThat(listed("doing-run", job.id()).doing()).isNull();
    }

    @Test
    void shouldForgetWhatAWorkerSaidOnceItGaveTheJobBack() {
        api.kb("doing-back");
        Job job = client.submitNote(KbId.of("doing-back"), NoteRequest.of("dana", "hello"));
        Assignment first = worker.poll("w-back", WAIT).orElseThrow();
        worker.heartbeat(first.lease().id(), "syncing with https://git.example.com/team.git");
        assertThat(client.job(job.id()).doing()).isEqualTo("syncing with https://git.example.com/team.git");

        assertThat(worker.giveBack("w-back", first.lease().id())).isTrue();
        JsonObject queued = wire(job.id());
        assertThat(queued.getString("state")).isEqualTo("queued");
        assertThat(queued.containsKey("doing")).isFalse();

        Assignment second = worker.poll("w-next", WAIT).orElseThrow();
        assertThat(second.job().id()).isEqualTo(job.id());
        assertThat(client.job(job.id()).state()).isEqualTo(JobState.RUNNING);
        assertThat(client.job(job.id()).doing())
                .as("what the worker that gave it back said is not the next one's")
                .isNull();
        worker.reportResult(job.id(), new JobOutcome.Done(second.lease().id(), null, List.of(), 0));
    }

    /** The job as the coordinator sends it, to tell an absent field from a null one. */
    private static JsonObject wire(String jobId) {
        return api.call(GET, "/v1/jobs/" + jobId, CLIENT).bodyAsJsonObject();
    }

    private Job listed(String kb, String jobId) {
        return client.jobs(JobQuery.all().withKb(KbId.of(kb))).jobs().stream()
                .filter(j -> j.id().equals(jobId))
                .findFirst()
                .orElseThrow();
    }
}
