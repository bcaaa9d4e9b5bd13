package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobQuery;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET /v1/jobs} on the real engine: newest first across KBs, filtered by KB, user and state, paged with an
 * opaque cursor that never skips or repeats a job; bad queries are 400 before anything is read.
 */
class JobListApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_LEASE_TTL_SECONDS", "10",
            "KBSYNC_RATE_LIMIT_SUBMISSIONS", "1000",
            "KBSYNC_KBS", "list-a=/srv/git/a.git#main,list-b=/srv/git/b.git#main,list-c=/srv/git/c.git#main"));

    private static final List<Job> submitted = new ArrayList<>(); // oldest first
    private static String done;
    private static String cancelled;

    @BeforeAll
    static void submit() {
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        for (int i = 0; i < 7; i++) {
            KbId kb = KbId.of(i % 2 == 0 ? "list-a" : "list-b");
            pauseAMillisecond(); // two jobs of one ms list by ticket id: here newest first is the submit order
            submitted.add(client.submitNote(kb, NoteRequest.of(i % 3 == 0 ? "alice" : "bob", "note " + i)));
            if (i == 0) { // the first job lands before any other is submitted
                Assignment a = worker.poll("w-1", Duration.ofSeconds(5)).orElseThrow();
                worker.reportResult(
                        a.job().id(),
                        new JobOutcome.Done(a.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
                done = a.job().id();
            }
        }
        cancelled = client.cancel(submitted.get(6).id()).id();
    }

    private static void pauseAMillisecond() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldListEveryKbNewestFirstAndPageWithoutSkippingOrRepeating() {
        KbsyncClient client = api.client(CLIENT);
        List<String> newestFirst =
                new ArrayList<>(submitted.stream().map(Job::id).toList());
        Collections.reverse(newestFirst);

        assertThat(client.jobs(JobQuery.all().withLimit(100)).jobs())
                .extracting(Job::id)
                .containsExactlyElementsOf(newestFirst);
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JobPage page = client.jobs(JobQuery.all().withLimit(3).after(cursor));
            page.jobs().forEach(j -> paged.add(j.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(paged).containsExactlyElementsOf(newestFirst);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void shouldFilterByKbUserAndState() {
        KbsyncClient client = api.client(CLIENT);
        assertThat(client.jobs(JobQuery.all().withKb(KbId.of("list-b"))).jobs())
                .extracting(Job::id)
                .containsExactly(
                        submitted.get(5).id(),
                        submitted.get(3).id(),
                        submitted.get(1).id());
        assertThat(client.jobs(JobQuery.all().withUser("alice")).jobs())
                .extracting(Job::id)
                .containsExactly(
                        submitted.get(6).id(),
                        submitted.get(3).id(),
                        submitted.get(0).id());
        assertThat(client.jobs(JobQuery.all().withState("cancelled")).jobs())
                .extracting(Job::id)
                .containsExactly(cancelled);
        assertThat(client.jobs(JobQuery.all().withState("done")).jobs())
                .singleElement()
                .satisfies(j -> {
                    assertThat(j.id()).isEqualTo(done);
                    assertThat(j.commit()).isEqualTo("c0ffee0000000000000000000000000000000000");
                });
        List<Job> queued = client.jobs(JobQuery.all().withKb(KbId.of("list-a")).withState("queued"))
                .jobs();
        assertThat(queued)
                .extracting(Job::id)
                .containsExactly(submitted.get(4).id(), submitted.get(2).id());
        assertThat(queued).extracting(Job::ahead).containsExactly(1L, 0L);
        assertThat(client.jobs(JobQuery.all().withKb(KbId.of("list-c"))).jobs()).isEmpty();
        assertThat(client.jobs(JobQuery.all().withKb(KbId.of("list-c"))).nextCursor())
                .isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "limit 0          | limit=0               | 400 | INVALID_LIMIT",
                "limit 101        | limit=101             | 400 | INVALID_LIMIT",
                "limit not number | limit=ten             | 400 | INVALID_LIMIT",
                "unknown state    | state=lost            | 400 | INVALID_STATE",
                "bad user         | user=a%20b            | 400 | INVALID_USER",
                "bad kb           | kb=Bad!               | 400 | INVALID_KB",
                "unknown kb       | kb=nope               | 404 | KB_NOT_FOUND",
                "garbage cursor   | cursor=xyz            | 400 | INVALID_CURSOR",
                "cursor charset   | cursor=a%2Fb          | 400 | INVALID_CURSOR",
                "unknown param    | sort=asc              | 400 | UNKNOWN_PARAMETER",
                "param twice      | user=a&user=b         | 400 | INVALID_PARAMETER",
            })
    void shouldRefuseBadQueries(String name, String query, int status, String code) {
        long calls = api.services.calls.get();
        assertError(api.call(GET, "/v1/jobs?" + query, CLIENT), status, code);
        assertThat(api.services.calls.get()).as("nothing read").isEqualTo(calls);
    }

    @Test
    void shouldNeedAToken() {
        assertError(api.call(GET, "/v1/jobs", null), 401, "UNAUTHENTICATED");
        assertThat(api.call(GET, "/v1/jobs", WORKER).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldShowTheCancelledJobFinished() {
        Job job = api.client(CLIENT)
                .jobs(JobQuery.all().withState(JobState.CANCELLED.wire()))
                .jobs()
                .get(0);
        assertThat(job.finishedAt()).isNotNull();
    }
}
