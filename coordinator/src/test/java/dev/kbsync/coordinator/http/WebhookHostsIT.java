package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.Coordinator;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A delivery goes only where the delivering coordinator's own {@code webhooks.allowedHosts} allows, checked at each
 * attempt, not only at submit: a host the list no longer names is dropped; a name that resolves to an internal address
 * (here localhost, 127.0.0.1) is posted to only when that address is listed as an IP literal too. The fixture's own
 * coordinator has webhooks off (it delivers nothing); the coordinators that deliver are started per test.
 */
class WebhookHostsIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * A job queued with a callback to 127.0.0.1, then every coordinator restarted with a list without it (new submits
     * to it are refused): the job ends, and its delivery is dropped and counted, never posted nor retried.
     */
    @Test
    void shouldDropAPendingDeliveryWhoseHostIsNoLongerAllowed() {
        api.kb("narrowed");
        try (HookReceiver receiver = new HookReceiver(api.vertx)) {
            Coordinator before = api.another(hooks("hosts-1", "127.0.0.1"));
            Job job;
            try {
                job = api.client(before.port(), CLIENT)
                        .submitNote(
                                KbId.of("narrowed"),
                                NoteRequest.of("alice", "x").withCallbackUrl(receiver.url("/narrowed")));
            } finally {
                before.stop().await();
            }
            Coordinator after = api.another(hooks("hosts-2", "bots.example.com"));
            try {
                assertError(
                        api.request(after.port(), POST, "/v1/kbs/narrowed/notes", CLIENT)
                                .sendJsonObject(new JsonObject()
                                        .put("user", "alice")
                                        .put("text", "y")
                                        .put("callbackUrl", receiver.url("/narrowed")))
                                .await(),
                        400,
                        "CALLBACK_NOT_ALLOWED");
                api.client(after.port(), CLIENT).cancel(job.id());

                await().atMost(WAIT).until(() -> api.dueWebhooks("narrowed") == 0);
                assertThat(receiver.deliveries("/narrowed")).isEmpty();
                assertThat(metrics(after))
                        .contains("kbsync_webhook_deliveries_total{kb=\"narrowed\",result=\"dropped\"} 1.0")
                        .doesNotContain("kbsync_webhook_deliveries_total{kb=\"narrowed\",result=\"failed\"}");
            } finally {
                after.stop().await();
            }
        }
    }

    /**
     * localhost listed, not 127.0.0.1: its callback is accepted (the name is listed) but never posted to, for the name
     * resolves to an internal address; its attempts fail and are retried. A coordinator that lists 127.0.0.1 too
     * delivers it.
     */
    @Test
    void shouldPostToAnInternalAddressOnlyWhenItIsListedAsAnIpLiteral() {
        api.kb("internal");
        try (HookReceiver receiver = new HookReceiver(api.vertx)) {
            Coordinator named = api.another(hooks("hosts-3", "localhost"));
            Job job;
            try {
                KbsyncClient client = api.client(named.port(), CLIENT);
                job = client.submitNote(
                        KbId.of("internal"),
                        NoteRequest.of("bob", "x").withCallbackUrl(receiver.url("localhost", "/internal")));
                client.cancel(job.id());
                await().atMost(WAIT)
                        .until(() -> metrics(named)
                                .contains("kbsync_webhook_deliveries_total{kb=\"internal\",result=\"failed\"}"));
                assertThat(receiver.deliveries("/internal")).isEmpty();
            } finally {
                named.stop().await();
            }
            Coordinator listed = api.another(hooks("hosts-4", "localhost,127.0.0.1"));
            try {
                await().atMost(WAIT).until(() -> api.dueWebhooks("internal") == 0);
                assertThat(receiver.deliveries("/internal"))
                        .extracting(HookReceiver.Delivery::deliveryId)
                        .containsExactly(job.id() + ":cancelled");
                assertThat(receiver.deliveries("/internal").get(0).headers().get("Host"))
                        .as("posted to the checked address, under the URL's host name")
                        .isEqualTo(java.net
                                .URI
                                .create(receiver.url("localhost", "/"))
                                .getAuthority());
            } finally {
                listed.stop().await();
            }
        }
    }

    private static String metrics(Coordinator coordinator) {
        return api.call(coordinator.port(), GET, "/metrics", ADMIN).bodyAsString();
    }

    /** A coordinator's environment: its id, webhooks on with {@code allowedHosts}, a 2 s delivery lease. */
    private static Map<String, String> hooks(String id, String allowedHosts) {
        Map<String, String> env = new HashMap<>();
        env.put("KBSYNC_COORDINATOR_ID", id);
        env.put("KBSYNC_WEBHOOKS_ALLOWED_HOSTS", allowedHosts);
        env.put("KBSYNC_WEBHOOKS_SECRET", "webhook-secret-0123456789");
        env.put("KBSYNC_WEBHOOKS_LEASE_SECONDS", "2");
        return env;
    }
}
