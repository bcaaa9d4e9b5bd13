package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.coordinator.http.HookReceiver.Delivery;
import dev.kbsync.testing.ScriptMonitor;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job's webhook belongs to the job, not to its KB's registration: a delivery due when the KB is removed is still
 * made, and one that failed is retried until it is delivered, by coordinators started after the removal too; a removed
 * KB with no delivery left costs Redis nothing.
 */
class RemovedKbWebhookIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_WEBHOOKS_ALLOWED_HOSTS",
            "127.0.0.1",
            "KBSYNC_WEBHOOKS_SECRET",
            WebhooksApiIT.SECRET,
            "KBSYNC_WEBHOOKS_LEASE_SECONDS",
            "2")); // a delivery claimed by a coordinator that stops is due again soon

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
    void shouldDeliverTheWebhookOfAJobThatEndedRightBeforeItsKbWasRemoved() {
        api.kb("hook-gone");
        Job job = cancelled("hook-gone", "/gone");

        assertThat(api.call(DELETE, "/v1/kbs/hook-gone", ADMIN).statusCode()).isEqualTo(204);

        await().atMost(WAIT).until(() -> receiver.deliveries("/gone").size() == 1);
        assertThat(receiver.deliveries("/gone").get(0).deliveryId()).isEqualTo(job.id() + ":cancelled");
        await().atMost(WAIT).until(() -> api.dueWebhooks("hook-gone") == 0);
    }

    @Test
    void shouldRetryTheWebhookOfARemovedKbUntilItIsDelivered() {
        api.kb("hook-retried");
        receiver.script("/retried", 500);
        Job job = cancelled("hook-retried", "/retried");
        await().atMost(WAIT).until(() -> receiver.deliveries("/retried").size() == 1); // failed: due again in 1 s

        removedThenDeliveredWithoutMeters("hook-retried", "/retried", job);
    }

    /**
     * The KB is removed while an attempt is under way (its receiver answers 500 after 0.9 s): the attempt's end, a retry,
     * neither counts it per KB nor has the sweep look at the KB again, so no meter of the removed KB comes back.
     */
    @Test
    void shouldKeepTheMetersOfAKbRemovedDuringAnAttemptGone() {
        api.kb("hook-inflight");
        receiver.script("/inflight", 500);
        receiver.delay("/inflight", 900); // within the attempt's timeout (1 s: half the 2 s lease)
        Job job = cancelled("hook-inflight", "/inflight");
        await().atMost(WAIT).until(() -> receiver.deliveries("/inflight").size() == 1); // under way

        removedThenDeliveredWithoutMeters("hook-inflight", "/inflight", job);
    }

    /**
     * Removes {@code kb}, whose first delivery of {@code job} to {@code path} failed (or is failing): it is retried and
     * delivered, and the removed KB's meters stay gone (its deliveries are logged, not counted per KB).
     */
    private static void removedThenDeliveredWithoutMeters(String kb, String path, Job job) {
        assertThat(api.call(DELETE, "/v1/kbs/" + kb, ADMIN).statusCode()).isEqualTo(204);

        await().atMost(WAIT).until(() -> receiver.deliveries(path).size() == 2);
        assertThat(receiver.deliveries(path)).extracting(Delivery::deliveryId).containsOnly(job.id() + ":cancelled");
        await().atMost(WAIT).until(() -> api.dueWebhooks(kb) == 0);
        sleep(1500); // a sweep pass or two: one the retry asked for would bring the KB's meters back
        assertThat(api.call(GET, "/metrics", ADMIN).bodyAsString())
                .as("a removed KB's meters stay gone")
                .doesNotContain("kb=\"" + kb + "\"");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldDeliverTheWebhookOfARemovedKbAfterEveryCoordinatorRestarted() {
        api.kb("hook-restarted");
        receiver.script("/restarted", 500, 500, 500, 500, 500, 500, 500, 500, 500, 500);
        Job job = cancelled("hook-restarted", "/restarted");
        await().atMost(WAIT).until(() -> receiver.deliveries("/restarted").size() == 1); // failed: due again in 1 s
        assertThat(api.call(DELETE, "/v1/kbs/hook-restarted", ADMIN).statusCode())
                .isEqualTo(204);

        api.restart(); // no coordinator that heard of the removal is left
        receiver.script("/restarted"); // answers 200 from now on
        int failed = receiver.deliveries("/restarted").size();

        await().atMost(Duration.ofSeconds(20)).until(() -> api.dueWebhooks("hook-restarted") == 0);
        assertThat(receiver.deliveries("/restarted")).hasSize(failed + 1);
        assertThat(receiver.deliveries("/restarted"))
                .extracting(Delivery::deliveryId)
                .containsOnly(job.id() + ":cancelled");
        await().atMost(WAIT).until(() -> !api.orphanedHooks().contains("hook-restarted"));
    }

    @Test
    void shouldStopLookingForDeliveriesOfARemovedKbOnceNoneIsLeft() throws InterruptedException {
        api.kb("hook-none");
        assertThat(api.call(DELETE, "/v1/kbs/hook-none", ADMIN).statusCode()).isEqualTo(204);
        Thread.sleep(500); // the look at the removal itself (the one that finds nothing left)
        assertThat(api.orphanedHooks()).doesNotContain("hook-none");

        int scripts;
        int named;
        try (ScriptMonitor monitor = ScriptMonitor.start(api.redis.port())) {
            Thread.sleep(2000); // at least eight sweeps (every 250 ms)
            scripts = monitor.scripts("kbsync:{kb:hook-none}:hooks");
            named = monitor.scriptsWithArgument(java.util.List.of("hook-none"));
        }

        assertThat(scripts)
                .as("Redis scripts for the removed KB during 8 sweeps")
                .isZero();
        assertThat(named)
                .as("Redis scripts naming the removed KB during 8 sweeps")
                .isZero();
    }

    /** A job of {@code kb} with a callback to {@code path}, cancelled: its KB is idle, its delivery due. */
    private static Job cancelled(String kb, String path) {
        return api.cancelledWithCallback(kb, receiver.url(path));
    }
}
