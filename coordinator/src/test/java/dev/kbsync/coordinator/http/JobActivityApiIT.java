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
 * {@code doing}, and what one worker said is gone with its grant (given back, finished). Each change of it is a
 * {@code doing} event on the job's streams; a heartbeat that repeats it sends none.
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
    void shouldSendEachChangeOfWhatTheWorkerSaysOnTheJobsStreamsOnce() {
        api.kb("doing-events");
        Job job = client.submitNote(KbId.of("doing-events"), NoteRequest.of("doris", "hello"));
        Assignment assignment = worker.poll("w-events", WAIT).orElseThrow();
        String waiting = "waiting for https://git.example.com/team.git to answer: unreachable since"
                + " 2026-12-06T05:41:07Z, 3 tries, next in 8 s";
        try (EventStream<JobEvent> own = client.jobEvents(job.id());
                EventStream<JobEvent> listed = client.jobsEvents(List.of(job.id()));
                EventStream<JobEvent> users = client.userJobEvents("doris")) {
            for (EventStream<JobEvent> stream : List.of(own, listed, users)) {
                JobEvent first = stream.next(WAIT);
                assertThat(first.name()).isEqualTo("state");
                assertThat(first.job().state()).isEqualTo(JobState.RUNNING);
                assertThat(first.job().doing()).isNull();
            }

            worker.heartbeat(assignment.lease().id(), waiting);
            worker.heartbeat(assignment.lease().id(), waiting);
            worker.heartbeat(assignment.lease().id(), "writing the note");
            worker.reportResult(job.id(), new JobOutcome.Done(assignment.lease().id(), null, List.of(), 0));

            for (EventStream<JobEvent> stream : List.of(own, listed, users)) {
                assertThat(untilFinished(stream, job.id()))
                        .as("one event per change, in order, then the final state")
                        .containsExactly("doing running " + waiting, "doing running writing the note", "state done");
            }
        }
    }

    /** The events of job {@code jobId} on {@code stream} up to its final one: name, state and doing. */
    private static List<String> untilFinished(EventStream<JobEvent> stream, String jobId) {
        List<String> seen = new java.util.ArrayList<>();
        JobEvent event;
        do {
            event = stream.next(WAIT);
            if (event.job().id().equals(jobId)) {
                Job j = event.job();
                seen.add(event.name() + " " + j.state().wire() + (j.doing() == null ? "" : " " + j.doing()));
            }
        } while (!event.job().id().equals(jobId) || !event.job().state().terminal());
        return seen;
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
