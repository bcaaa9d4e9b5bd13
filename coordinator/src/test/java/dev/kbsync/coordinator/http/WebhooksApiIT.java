package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.http.HookReceiver.Delivery;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks on the real engine and a real HTTP receiver: a job with a callbackUrl is posted, signed, when it ends
 * (done, cancelled), retried with the same delivery id until a 2xx; a callbackUrl that is not an absolute http(s) URL on
 * an allowed host is refused with nothing stored.
 */
class WebhooksApiIT {
    static final String SECRET = "webhook-secret-0123456789";

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_LEASE_TTL_SECONDS", "10",
            "KBSYNC_RATE_LIMIT_SUBMISSIONS", "1000",
            "KBSYNC_WEBHOOKS_ALLOWED_HOSTS", "127.0.0.1,*.example.com",
            "KBSYNC_WEBHOOKS_SECRET", SECRET));

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static HookReceiver receiver;

    @BeforeAll
    static void receiver() {
        receiver = new HookReceiver(api.vertx);
    }

    @AfterAll
    static void closeReceiver() {
        receiver.close();
    }

    @Test
    void shouldDeliverOnceWhenAJobIsDoneSignedWithTheSecret() throws Exception {
        api.kb("hook-a");
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        Job job = client.submitNote(
                KbId.of("hook-a"), NoteRequest.of("alice", "hello").withCallbackUrl(receiver.url("/a")));
        Assignment a = worker.poll("w-a", WAIT).orElseThrow();
        assertThat(a.job().id()).isEqualTo(job.id());
        worker.reportResult(
                job.id(),
                new JobOutcome.Done(a.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));

        await().atMost(WAIT).until(() -> receiver.deliveries("/a").size() == 1);
        Delivery d = receiver.deliveries("/a").get(0);
        assertThat(d.deliveryId()).isEqualTo(job.id() + ":done");
        assertThat(d.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(HookReceiver.validSignature(d, SECRET)).isTrue();
        assertThat(HookReceiver.validSignature(d, "another-secret-0123456789")).isFalse();
        JsonObject body = d.body().toJsonObject();
        assertThat(body.getString("id")).isEqualTo(job.id());
        assertThat(body.getString("state")).isEqualTo("done");
        assertThat(body.getString("commit")).isEqualTo("c0ffee0000000000000000000000000000000000");
        await().atMost(WAIT).until(() -> api.dueWebhooks("hook-a") == 0);
        Thread.sleep(1000); // several sweeps: a delivered webhook is not posted again
        assertThat(receiver.deliveries("/a")).hasSize(1);
    }

    @Test
    void shouldRetryAFailingReceiverWithTheSameDeliveryId() {
        api.kb("hook-b");
        receiver.script("/b", 500, 503);
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        Job job = client.submitNote(
                KbId.of("hook-b"), NoteRequest.of("bob", "retry me").withCallbackUrl(receiver.url("/b")));
        Assignment a = worker.poll("w-b", WAIT).orElseThrow();
        worker.reportResult(
                job.id(), new JobOutcome.Failed(a.lease().id(), new dev.kbsync.api.JobError("PUSH_FAILED", "no"), 0));

        await().atMost(WAIT).until(() -> receiver.deliveries("/b").size() == 3);
        assertThat(receiver.deliveries("/b")).extracting(Delivery::deliveryId).containsOnly(job.id() + ":failed");
        await().atMost(WAIT).until(() -> api.dueWebhooks("hook-b") == 0);
        assertThat(receiver.deliveries("/b")).hasSize(3);
    }

    @Test
    void shouldRetryOnTimeWhenTheReceiverAnswersSlowly() {
        api.kb("hook-slow");
        receiver.script("/slow", 500);
        receiver.delay("/slow", 800); // answered after the KB's next sweeps, which saw the delivery claimed
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        Job job = client.submitNote(
                KbId.of("hook-slow"), NoteRequest.of("sam", "slow").withCallbackUrl(receiver.url("/slow")));
        Assignment a = worker.poll("w-slow", WAIT).orElseThrow();
        worker.reportResult(
                job.id(), new JobOutcome.Failed(a.lease().id(), new dev.kbsync.api.JobError("PUSH_FAILED", "no"), 0));

        await().atMost(WAIT).until(() -> receiver.deliveries("/slow").size() == 2);
        List<Delivery> deliveries = receiver.deliveries("/slow");
        // answered 0.8 s after it came, then due again 1 s later: not left until the idle KB's next sweep (2.5-5 s)
        assertThat(Duration.ofNanos(deliveries.get(1).at() - deliveries.get(0).at()))
                .isLessThan(Duration.ofMillis(2_700));
    }

    /**
     * A receiver that never answers holds its own delivery for the attempt's whole time (10 s), not the KB's other
     * deliveries: one falling due meanwhile is claimed by the KB's next sweep and posted at once.
     */
    @Test
    void shouldNotHoldUpAKbsOtherDeliveriesBehindAReceiverThatDoesNotAnswer() {
        api.kb("hook-hang");
        receiver.script("/hang", 0); // the first POST is never answered (until the attempt's timeout hangs up)
        cancelled("hook-hang", "/hang");
        await().atMost(WAIT).until(() -> receiver.deliveries("/hang").size() == 1);

        long cancelledAt = System.nanoTime();
        cancelled("hook-hang", "/after");
        await().atMost(WAIT).until(() -> receiver.deliveries("/after").size() == 1);
        assertThat(Duration.ofNanos(receiver.deliveries("/after").get(0).at() - cancelledAt))
                .as("posted while the KB's other delivery still waits for its answer")
                .isLessThan(Duration.ofSeconds(3));
        assertThat(receiver.deliveries("/hang")).hasSize(1);
    }

    /**
     * A 2xx is the receiver's acceptance, whatever follows it: an answer whose body is longer than the coordinator reads
     * (64 KiB) is hung up on, and the delivery counted delivered, not retried.
     */
    @Test
    void shouldCountA2xxWithAnOverlongAnswerDelivered() throws InterruptedException {
        api.kb("hook-long");
        receiver.body("/long", 1024 * 1024);
        Job job = cancelled("hook-long", "/long");

        await().atMost(WAIT).until(() -> api.dueWebhooks("hook-long") == 0);
        Thread.sleep(1500); // a failed attempt would be due again after 1 s
        assertThat(receiver.deliveries("/long"))
                .extracting(Delivery::deliveryId)
                .containsExactly(job.id() + ":cancelled");
        assertThat(api.call(io.vertx.core.http.HttpMethod.GET, "/metrics", ADMIN)
                        .bodyAsString())
                .contains("kbsync_webhook_deliveries_total{kb=\"hook-long\",result=\"delivered\"} 1.0")
                .doesNotContain("kbsync_webhook_deliveries_total{kb=\"hook-long\",result=\"failed\"}");
    }

    /** A job of {@code kb} with a callback to {@code path}, cancelled: its KB is idle, its delivery due. */
    private static Job cancelled(String kb, String path) {
        return api.cancelledWithCallback(kb, receiver.url(path));
    }

    @Test
    void shouldDeliverWhenAJobIsCancelled() {
        api.kb("hook-c");
        KbsyncClient client = api.client(CLIENT);
        Job job = client.submitNote(
                KbId.of("hook-c"), NoteRequest.of("carol", "never mind").withCallbackUrl(receiver.url("/c")));
        assertThat(client.cancel(job.id()).state()).isEqualTo(JobState.CANCELLED);

        await().atMost(WAIT).until(() -> receiver.deliveries("/c").size() == 1);
        Delivery d = receiver.deliveries("/c").get(0);
        assertThat(d.deliveryId()).isEqualTo(job.id() + ":cancelled");
        assertThat(d.body().toJsonObject().getString("state")).isEqualTo("cancelled");
    }

    /**
     * More deliveries end together than an HTTP client pool holds (5 connections per host by default), to a receiver
     * that answers each in 3 s, over three KBs: every claimed delivery is sent and delivered once, none waits for a
     * connection until its timeout (10 s) runs out, and none is counted failed.
     */
    @Test
    void shouldSendEveryClaimedDeliveryToASlowReceiverAndCountNoneFailed() {
        List<String> kbs = List.of("hook-many-a", "hook-many-b", "hook-many-c");
        receiver.delay("/many", 3_000);
        KbsyncClient client = api.client(CLIENT);
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (String kb : kbs) {
            api.kb(kb);
            for (int i = 0; i < 10; i++) {
                Job job = client.submitNote(
                        KbId.of(kb), NoteRequest.of("mia", "note " + i).withCallbackUrl(receiver.url("/many")));
                ids.add(job.id() + ":cancelled");
            }
        }
        ids.forEach(id -> client.cancel(id.substring(0, id.indexOf(':'))));

        await().atMost(Duration.ofSeconds(30)).until(() -> kbs.stream().allMatch(kb -> api.dueWebhooks(kb) == 0));
        assertThat(receiver.deliveries("/many"))
                .extracting(Delivery::deliveryId)
                .as("every delivery sent once: none timed out waiting for a connection and was sent again")
                .containsExactlyInAnyOrderElementsOf(ids);
        String metrics =
                api.call(io.vertx.core.http.HttpMethod.GET, "/metrics", ADMIN).bodyAsString();
        for (String kb : kbs) {
            assertThat(metrics)
                    .contains("kbsync_webhook_deliveries_total{kb=\"" + kb + "\",result=\"delivered\"} 10.0")
                    .doesNotContain("kbsync_webhook_deliveries_total{kb=\"" + kb + "\",result=\"failed\"}");
        }
    }

    /**
     * A callbackUrl is part of the request its idempotency key names: the key reused with another callbackUrl is refused
     * (409 IDEMPOTENCY_MISMATCH) before any rate window counts it, not answered with the first job, whose callback alone
     * would be called.
     */
    @Test
    void shouldRefuseAnIdempotencyKeyReusedWithAnotherCallbackUrl() {
        api.kb("hook-idem");
        String user = "ida-" + System.nanoTime();
        HttpResponse<Buffer> first = keyed("hook-idem", user, receiver.url("/idem-a"));
        assertThat(first.statusCode()).isEqualTo(202);
        String id = first.bodyAsJsonObject().getString("id");
        int remaining = Integer.parseInt(first.getHeader("X-RateLimit-Remaining"));
        try {
            for (String other : new String[] {receiver.url("/idem-b"), null}) {
                assertError(keyed("hook-idem", user, other), 409, "IDEMPOTENCY_MISMATCH");
            }
            HttpResponse<Buffer> retry = keyed("hook-idem", user, receiver.url("/idem-a"));
            assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(id);
            assertThat(Integer.parseInt(retry.getHeader("X-RateLimit-Remaining")))
                    .as("the first submit and its retry counted; the refused ones did not")
                    .isEqualTo(remaining - 1);
        } finally {
            api.client(CLIENT).cancel(id); // no worker is to take it
        }
        await().atMost(WAIT).until(() -> receiver.deliveries("/idem-a").size() == 1);
        assertThat(receiver.deliveries("/idem-b")).isEmpty();
    }

    private static HttpResponse<Buffer> keyed(String kb, String user, String callbackUrl) {
        JsonObject note = new JsonObject().put("user", user).put("text", "the note");
        if (callbackUrl != null) {
            note.put("callbackUrl", callbackUrl);
        }
        return api.request(POST, "/v1/kbs/" + kb + "/notes", CLIENT)
                .putHeader("Idempotency-Key", "key-1")
                .sendJsonObject(note)
                .await();
    }

    @Test
    void shouldRefuseABadCallbackUrlAndStoreNothing() {
        api.kb("hook-d");
        long before = api.storedRecords();
        Map<String, String> refused = new java.util.HashMap<>(Map.of(
                "http://evil.test/hook", "CALLBACK_NOT_ALLOWED",
                "http://10.0.0.5/hook", "CALLBACK_NOT_ALLOWED",
                "http://169.254.169.254/latest/meta-data", "CALLBACK_NOT_ALLOWED",
                "http://[::1]:8080/hook", "CALLBACK_NOT_ALLOWED",
                "http://2130706433/hook", "CALLBACK_NOT_ALLOWED",
                "ftp://127.0.0.1/hook", "INVALID_CALLBACK_URL",
                "/relative/hook", "INVALID_CALLBACK_URL",
                "http://user:pw@127.0.0.1/hook", "INVALID_CALLBACK_URL",
                "not a url", "INVALID_CALLBACK_URL"));
        refused.put("http://127.0.0.1:99999/hook", "INVALID_CALLBACK_URL"); // no such port: every delivery would fail
        refused.put("http://127.0.0.1:0/hook", "INVALID_CALLBACK_URL");
        refused.forEach((url, code) -> {
            assertError(
                    api.call(
                            POST,
                            "/v1/kbs/hook-d/notes",
                            CLIENT,
                            new JsonObject()
                                    .put("user", "dave")
                                    .put("text", "x")
                                    .put("callbackUrl", url)),
                    400,
                    code);
            assertError(
                    api.call(
                            POST,
                            "/v1/kbs/hook-d/agent-tasks",
                            ADMIN,
                            new JsonObject()
                                    .put("user", "dave")
                                    .put("task", "x")
                                    .put("callbackUrl", url)),
                    400,
                    code);
        });
        assertThat(api.storedRecords()).as("refusals store nothing").isEqualTo(before);
        var accepted = api.call(
                POST,
                "/v1/kbs/hook-d/notes",
                CLIENT,
                new JsonObject()
                        .put("user", "dave")
                        .put("text", "x")
                        .put("callbackUrl", "https://bots.example.com/kbsync?x=1"));
        assertThat(accepted.statusCode()).as("a name under an allowed domain").isEqualTo(202);
        // no worker is to take it (workers poll every KB): cancel it
        api.client(CLIENT).cancel(accepted.bodyAsJsonObject().getString("id"));
    }
}
