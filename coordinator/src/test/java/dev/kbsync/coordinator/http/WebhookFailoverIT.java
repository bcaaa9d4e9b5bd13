package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.http.HookReceiver.Delivery;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A webhook survives its coordinator: the coordinator that claimed a delivery stops before the receiver answers, and
 * another coordinator delivers it, with the same delivery id, once the delivery lease is over; a job the sweep fails
 * (attempt limit, here 1) is delivered too. The fixture's own coordinator has webhooks off (it refuses callback URLs
 * and delivers nothing); lease TTL 2 s.
 */
class WebhookFailoverIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_JOBS_MAX_ATTEMPTS", "1"));

    private static final Map<String, String> HOOKS = Map.of(
            "KBSYNC_WEBHOOKS_ALLOWED_HOSTS", "127.0.0.1",
            "KBSYNC_WEBHOOKS_SECRET", "webhook-secret-0123456789",
            "KBSYNC_WEBHOOKS_LEASE_SECONDS", "2");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void shouldRefuseCallbacksWhileWebhooksAreOff() {
        api.kb("off");
        assertError(
                api.call(
                        POST,
                        "/v1/kbs/off/notes",
                        CLIENT,
                        new JsonObject().put("user", "a").put("text", "x").put("callbackUrl", "http://127.0.0.1/")),
                400,
                "CALLBACK_NOT_ALLOWED");
    }

    @Test
    void shouldBeDeliveredByAnotherCoordinatorWhenTheFirstStops() {
        api.kb("failover");
        try (HookReceiver receiver = new HookReceiver(api.vertx)) {
            receiver.script("/f", 0); // the first POST is never answered
            Coordinator first = api.another(withId("hooks-1"));
            KbsyncClient client = api.client(first.port(), CLIENT);
            KbsyncClient worker = api.client(WORKER);
            Job job = client.submitNote(
                    KbId.of("failover"), NoteRequest.of("alice", "x").withCallbackUrl(receiver.url("/f")));
            Assignment a = worker.poll("w-f", WAIT).orElseThrow();
            worker.reportResult(
                    job.id(),
                    new JobOutcome.Done(a.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
            await().atMost(WAIT).until(() -> receiver.deliveries("/f").size() == 1);

            first.stop().await();
            Coordinator second = api.another(withId("hooks-2"));
            try {
                await().atMost(WAIT).until(() -> receiver.deliveries("/f").size() == 2);
                await().atMost(WAIT).until(() -> api.dueWebhooks("failover") == 0);
            } finally {
                second.stop().await();
            }
            assertThat(receiver.deliveries("/f"))
                    .extracting(Delivery::deliveryId)
                    .containsOnly(job.id() + ":done");
        }
    }

    @Test
    void shouldDeliverAJobTheSweepFailsAtItsAttemptLimit() {
        api.kb("limit");
        try (HookReceiver receiver = new HookReceiver(api.vertx)) {
            Coordinator hooks = api.another(withId("hooks-3"));
            try {
                Job job = api.client(hooks.port(), CLIENT)
                        .submitNote(KbId.of("limit"), NoteRequest.of("bob", "x").withCallbackUrl(receiver.url("/l")));
                Assignment a = api.client(WORKER).poll("w-silent", WAIT).orElseThrow();
                assertThat(a.job().id()).isEqualTo(job.id()); // and the worker goes silent

                await().atMost(WAIT).until(() -> receiver.deliveries("/l").size() == 1);
                Delivery d = receiver.deliveries("/l").get(0);
                assertThat(d.deliveryId()).isEqualTo(job.id() + ":failed");
                assertThat(d.body().toJsonObject().getJsonObject("error").getString("code"))
                        .isEqualTo("LEASE_EXPIRED");
            } finally {
                hooks.stop().await();
            }
        }
    }

    @Test
    void shouldGiveUpOnAReceiverThatTricklesItsAnswerAndDeliverTheKbsOtherHooks() {
        api.kb("trickle");
        try (HookReceiver receiver = new HookReceiver(api.vertx)) {
            receiver.trickle("/t");
            Coordinator hooks = api.another(withId("hooks-4"));
            try {
                KbsyncClient client = api.client(hooks.port(), CLIENT);
                KbsyncClient worker = api.client(WORKER);
                Job slow = client.submitNote(
                        KbId.of("trickle"), NoteRequest.of("alice", "x").withCallbackUrl(receiver.url("/t")));
                Assignment a = worker.poll("w-t", WAIT).orElseThrow();
                worker.reportResult(
                        slow.id(),
                        new JobOutcome.Done(a.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
                await().atMost(WAIT).until(() -> receiver.deliveries("/t").size() == 1);
                Job next = client.submitNote(
                        KbId.of("trickle"), NoteRequest.of("bob", "y").withCallbackUrl(receiver.url("/ok")));
                Assignment b = worker.poll("w-t", WAIT).orElseThrow();
                worker.reportResult(
                        next.id(),
                        new JobOutcome.Done(b.lease().id(), "f00d000000000000000000000000000000000000", List.of(), 0));

                await().atMost(WAIT)
                        .alias("the KB's next hook is not held up behind an answer that never ends")
                        .until(() -> receiver.deliveries("/ok").size() == 1);
                await().atMost(WAIT)
                        .alias("the trickled one was given up after the timeout (2 s) and tried again")
                        .until(() -> receiver.deliveries("/t").size() >= 2);
            } finally {
                hooks.stop().await();
            }
        }
    }

    private static Map<String, String> withId(String id) {
        Map<String, String> env = new java.util.HashMap<>(HOOKS);
        env.put("KBSYNC_COORDINATOR_ID", id);
        return env;
    }
}
