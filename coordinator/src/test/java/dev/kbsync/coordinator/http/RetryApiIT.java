package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.auth.Token;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1/jobs/{id}/retry} on the real engine: a failed or cancelled job is submitted again as a new job of the
 * same KB, user, kind and payload that says which job it retries; the same retry repeated (also by two callers at
 * once) answers that one new job; a job that is queued, running or done, an unknown one, another tenant's, another
 * token's are refused with nothing stored; a retry counts in the rate limits as any submit.
 */
class RetryApiIT {
    private static final String OTHER_CLIENT = "client-token-00000002";
    private static final String TEAM_BOT = "team-bot-token-000001";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(
            Map.of("KBSYNC_TOKENS", "", "KBSYNC_KBS", "", "KBSYNC_LEASE_TTL_SECONDS", "10"),
            """
            auth:
              tokens:
                - {token: %s, role: admin}
                - {token: %s, role: worker}
                - {token: %s, role: client}
                - {token: %s, role: client, name: other}
                - {token: "sha256:%s", role: client, name: team-bot, kbs: ["retry-team"], users: [tina]}
            rateLimit: {submissions: 5}
            kbs:
              - {id: retry-a, remote: /srv/git/ra.git}
              - {id: retry-b, remote: /srv/git/rb.git}
              - {id: retry-c, remote: /srv/git/rc.git}
              - {id: retry-d, remote: /srv/git/rd.git}
              - {id: retry-e, remote: /srv/git/re.git}
              - {id: retry-f, remote: /srv/git/rf.git}
              - {id: retry-team, remote: /srv/git/rt.git}
            """.formatted(ADMIN, WORKER, CLIENT, OTHER_CLIENT, Token.digestOf(TEAM_BOT)));

    @Test
    void shouldSubmitAFailedNoteAgainAsANewJobThatSaysWhichJobItRetries() {
        KbId kb = KbId.of("retry-a");
        Job failed = failed(
                kb,
                NoteRequest.of("ann", "Standup moved to 9:30")
                        .withTitle("Standup")
                        .withPath("notes/standup.md"));

        HttpResponse<Buffer> retried = retry(failed.id(), CLIENT);

        assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(202);
        JsonObject json = retried.bodyAsJsonObject();
        String newId = json.getString("id");
        assertThat(newId).isNotEqualTo(failed.id()).startsWith("retry-a~");
        assertThat(retried.getHeader("Location")).isEqualTo("/v1/jobs/" + newId);
        assertThat(retried.getHeader("X-RateLimit-Remaining")).isEqualTo("3");
        assertThat(json.getString("retryOf")).isEqualTo(failed.id());
        assertThat(json.getString("state")).isEqualTo("queued");
        Job again = Job.fromJson(json);
        assertThat(again.kb()).isEqualTo(kb);
        assertThat(again.user()).isEqualTo("ann");
        assertThat(again.kind()).isEqualTo(failed.kind());
        assertThat(again.payload()).isEqualTo(failed.payload());
        assertThat(again.error()).isNull();
        assertThat(again.attempts()).isZero();

        JsonObject read = api.call(GET, "/v1/jobs/" + newId, CLIENT).bodyAsJsonObject();
        assertThat(read.getString("retryOf")).as("stored with the job").isEqualTo(failed.id());
        JsonObject old = api.call(GET, "/v1/jobs/" + failed.id(), CLIENT).bodyAsJsonObject();
        assertThat(old.containsKey("retryOf")).isTrue();
        assertThat(old.getString("retryOf")).isNull();
        assertThat(old.getString("state")).as("the old job stays as it ended").isEqualTo("failed");

        Assignment next = api.client(WORKER).poll("w-a", WAIT).orElseThrow();
        assertThat(next.job().id()).isEqualTo(newId);
        assertThat(next.job().payload()).isEqualTo(failed.payload());
        api.client(WORKER)
                .reportResult(newId, new JobOutcome.Failed(next.lease().id(), new JobError("X", "x"), 0));
        Job ended = api.client(CLIENT).job(newId);
        assertThat(ended.state()).isEqualTo(JobState.FAILED);
        assertThat(ended.retryOf())
                .as("kept when its record is folded into its ticket")
                .isEqualTo(failed.id());
        assertThat(read.getJsonArray("retryChain").getList()).containsExactly(failed.id());
        assertThat(old.containsKey("retryChain"))
                .as("a job submitted otherwise")
                .isFalse();

        // the retry of the retry names the whole chain: its worker looks for the commit of each job of it
        HttpResponse<Buffer> twice = retry(newId, CLIENT);
        assertThat(twice.statusCode()).as(twice.bodyAsString()).isEqualTo(202);
        String thirdId = twice.bodyAsJsonObject().getString("id");
        assertThat(twice.bodyAsJsonObject().getString("retryOf")).isEqualTo(newId);
        assertThat(twice.bodyAsJsonObject().getJsonArray("retryChain").getList())
                .containsExactly(newId, failed.id());
        Assignment third = api.client(WORKER).poll("w-a", WAIT).orElseThrow();
        assertThat(third.job().id()).isEqualTo(thirdId);
        assertThat(third.job().retryChain()).containsExactly(newId, failed.id());
        api.client(WORKER)
                .reportResult(thirdId, new JobOutcome.Failed(third.lease().id(), new JobError("X", "x"), 0));
        assertThat(api.client(CLIENT).job(thirdId).retryChain())
                .as("kept when its record is folded into its ticket")
                .containsExactly(newId, failed.id());
    }

    @Test
    void shouldAnswerTheSameNewJobToARepeatedRetryAndToTwoCallersAtOnce() {
        KbId kb = KbId.of("retry-b");
        Job failed = failed(kb, NoteRequest.of("bea", "lost to an outage"));
        String path = "/v1/jobs/" + failed.id() + "/retry";

        Future<HttpResponse<Buffer>> first = api.request(POST, path, CLIENT).send();
        Future<HttpResponse<Buffer>> second = api.request(POST, path, ADMIN).send();
        assertThat(first.await().statusCode()).as(first.await().bodyAsString()).isEqualTo(202);
        String newId = first.await().bodyAsJsonObject().getString("id");
        assertThat(second.await().statusCode())
                .as(second.await().bodyAsString())
                .isEqualTo(202);
        assertThat(second.await().bodyAsJsonObject().getString("id")).isEqualTo(newId);
        HttpResponse<Buffer> repeated = retry(failed.id(), CLIENT);
        assertThat(repeated.statusCode()).as(repeated.bodyAsString()).isEqualTo(202);
        assertThat(repeated.bodyAsJsonObject().getString("id")).isEqualTo(newId);
        assertThat(repeated.bodyAsJsonObject().getString("retryOf")).isEqualTo(failed.id());
        KbsyncClient client = api.client(CLIENT);
        Job byClient = client.retry(failed.id());
        assertThat(byClient.id()).isEqualTo(newId);
        assertThat(byClient.retryOf()).isEqualTo(failed.id());

        assertThat(ids(kb, "bea")).as("one new job").containsExactly(newId, failed.id());
        assertThat(client.job(newId).state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void shouldRetryACancelledAgentTaskAsAnAgentTask() {
        KbId kb = KbId.of("retry-c");
        KbsyncClient client = api.client(CLIENT);
        Job held = client.submitNote(kb, NoteRequest.of("cid", "holds the KB"));
        HttpResponse<Buffer> task = api.call(
                POST,
                "/v1/kbs/retry-c/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "cid").put("task", "merge the two onboarding pages"));
        assertThat(task.statusCode()).as(task.bodyAsString()).isEqualTo(202);
        Job cancelled = client.cancel(task.bodyAsJsonObject().getString("id"));

        HttpResponse<Buffer> retried = retry(cancelled.id(), CLIENT);

        assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(202);
        Job again = Job.fromJson(retried.bodyAsJsonObject());
        assertThat(again.kind().wire()).isEqualTo("agent");
        assertThat(again.payload()).isEqualTo(cancelled.payload());
        assertThat(retried.bodyAsJsonObject().getString("retryOf")).isEqualTo(cancelled.id());
        assertThat(again.ahead()).as("behind the job that holds the KB").isEqualTo(1);
        assertThat(client.job(held.id()).state()).isIn(JobState.QUEUED, JobState.RUNNING);
    }

    @Test
    void shouldRefuseAJobThatIsQueuedRunningOrDoneAndStoreNothing() {
        KbId kb = KbId.of("retry-d");
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        Job done = client.submitNote(kb, NoteRequest.of("dan", "lands"));
        Assignment a = worker.poll("w-d", WAIT).orElseThrow();
        worker.reportResult(
                done.id(),
                new JobOutcome.Done(a.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
        Job running = client.submitNote(kb, NoteRequest.of("dan", "runs"));
        Assignment taken = worker.poll("w-d", WAIT).orElseThrow();
        assertThat(taken.job().id()).isEqualTo(running.id());
        Job queued = client.submitNote(kb, NoteRequest.of("dan", "waits"));
        long calls = api.services.calls.get();

        assertError(retry(done.id(), CLIENT), 409, "JOB_NOT_RETRYABLE");
        assertError(retry(running.id(), CLIENT), 409, "JOB_NOT_RETRYABLE");
        assertError(retry(queued.id(), CLIENT), 409, "JOB_NOT_RETRYABLE");
        assertError(retry("retry-d~nope", CLIENT), 404, "JOB_NOT_FOUND");
        assertError(retry("nokb~nope", CLIENT), 404, "JOB_NOT_FOUND");
        assertError(retry("bad%20id", CLIENT), 400, "INVALID_JOB_ID");

        assertThat(api.services.calls.get()).as("no submit was made").isEqualTo(calls);
        assertThat(ids(kb, "dan")).containsExactly(queued.id(), running.id(), done.id());
        assertThat(client.job(queued.id()).state()).isEqualTo(JobState.QUEUED);
        worker.reportResult(running.id(), new JobOutcome.Failed(taken.lease().id(), new JobError("X", "x"), 0));
    }

    @Test
    void shouldLetOnlyTheSubmittingTokenOrAnAdminRetryWithinTheirScope() {
        KbsyncClient bot = api.client(TEAM_BOT);
        Job mine = bot.submitNote(KbId.of("retry-team"), NoteRequest.of("tina", "the team's note"));
        Job cancelled = bot.cancel(mine.id());
        Job foreign = failed(KbId.of("retry-e"), NoteRequest.of("eve", "not the team's"));

        assertError(retry(cancelled.id(), OTHER_CLIENT), 403, "NOT_SUBMITTER");
        assertError(retry(cancelled.id(), WORKER), 403, "FORBIDDEN");
        assertError(retry(cancelled.id(), null), 401, "UNAUTHENTICATED");
        assertError(retry(foreign.id(), TEAM_BOT), 404, "JOB_NOT_FOUND");
        assertThat(ids(KbId.of("retry-e"), "eve")).containsExactly(foreign.id());

        HttpResponse<Buffer> byAdmin = retry(foreign.id(), ADMIN);
        assertThat(byAdmin.statusCode()).as(byAdmin.bodyAsString()).isEqualTo(202);
        assertThat(byAdmin.bodyAsJsonObject().getString("retryOf")).isEqualTo(foreign.id());
        HttpResponse<Buffer> bySubmitter = retry(cancelled.id(), TEAM_BOT);
        assertThat(bySubmitter.statusCode()).as(bySubmitter.bodyAsString()).isEqualTo(202);
        assertThat(bySubmitter.bodyAsJsonObject().getString("user")).isEqualTo("tina");
    }

    @Test
    void shouldCountARetryInTheUsersRateLimitAndStoreNothingWhenItIsFull() {
        KbId kb = KbId.of("retry-f");
        Job failed = failed(kb, NoteRequest.of("fay", "one"));
        KbsyncClient client = api.client(CLIENT);
        for (int i = 2; i <= 5; i++) {
            client.submitNote(kb, NoteRequest.of("fay", "note " + i));
        }

        HttpResponse<Buffer> limited = retry(failed.id(), CLIENT);

        assertError(limited, 429, "RATE_LIMITED");
        assertThat(limited.getHeader("Retry-After")).isNotNull();
        assertThat(ids(kb, "fay")).hasSize(5);
    }

    /** Cancels every job left queued (granted to no worker, or waiting), so that no later test's poll takes it. */
    @AfterEach
    void cancelTheQueuedJobs() {
        JsonObject page =
                api.call(GET, "/v1/jobs?state=queued&limit=100", ADMIN).bodyAsJsonObject();
        for (Object job : page.getJsonArray("jobs")) {
            api.call(DELETE, "/v1/jobs/" + ((JsonObject) job).getString("id"), ADMIN);
        }
    }

    /** A note of {@code request} submitted by CLIENT on {@code kb}, taken by a worker and failed with PUSH_REJECTED. */
    private static Job failed(KbId kb, NoteRequest request) {
        Job job = api.client(CLIENT).submitNote(kb, request);
        KbsyncClient worker = api.client(WORKER);
        Assignment a = worker.poll("w-" + kb.value(), WAIT).orElseThrow();
        assertThat(a.job().id()).isEqualTo(job.id());
        Job failed = worker.reportResult(
                job.id(), new JobOutcome.Failed(a.lease().id(), new JobError("PUSH_REJECTED", "refused by a hook"), 1));
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        return failed;
    }

    private static HttpResponse<Buffer> retry(String id, String token) {
        return api.call(POST, "/v1/jobs/" + id + "/retry", token);
    }

    /** The ids of {@code user}'s jobs on {@code kb}, newest first. */
    private static List<String> ids(KbId kb, String user) {
        return api
                .call(GET, "/v1/jobs?kb=" + kb.value() + "&user=" + user, ADMIN)
                .bodyAsJsonObject()
                .getJsonArray("jobs")
                .stream()
                .map(j -> ((JsonObject) j).getString("id"))
                .toList();
    }
}
