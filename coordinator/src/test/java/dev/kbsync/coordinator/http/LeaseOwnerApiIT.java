package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.client.BlockingLeaseChannel;
import dev.kbsync.api.client.KbsyncException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A raw lease belongs to the token that asked for it, as a job to the token that submitted it: another client token in
 * the KB's scope, which sees the lease's ticket in the KB's queue and can so name its id, may not release it, heartbeat
 * it or follow its events ({@code 403 NOT_REQUESTER}); that would be a force-release, an admin's. An admin may; a
 * worker's heartbeat keeps it alive as documented.
 */
class LeaseOwnerApiIT {
    static final String OTHER_CLIENT = "client-token-00000002";

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_LEASE_TTL_SECONDS",
            "10",
            "KBSYNC_TOKENS",
            "admin:" + ADMIN + ",worker:" + WORKER + ",client:" + CLIENT + ",client:" + OTHER_CLIENT));

    @Test
    void shouldRefuseAnotherClientTokenTheLeaseItDidNotAskFor() {
        api.kb("owned");
        String held = requested("owned");
        String waiting = requested("owned");
        JsonObject queue = api.call(GET, "/v1/kbs/owned/queue", OTHER_CLIENT).bodyAsJsonObject();
        assertThat("owned~" + queue.getJsonObject("holder").getString("ticketId"))
                .isEqualTo(held);

        assertError(api.call(DELETE, "/v1/leases/" + held, OTHER_CLIENT), 403, "NOT_REQUESTER");
        assertError(api.call(DELETE, "/v1/leases/" + waiting, OTHER_CLIENT), 403, "NOT_REQUESTER");
        assertError(api.call(POST, "/v1/leases/" + held + "/heartbeat", OTHER_CLIENT), 403, "NOT_REQUESTER");
        assertError(api.call(GET, "/v1/leases/" + held + "/events", OTHER_CLIENT), 403, "NOT_REQUESTER");
        try (BlockingLeaseChannel channel = api.client(OTHER_CLIENT).openLeaseChannel()) {
            assertThatThrownBy(() -> channel.release(held))
                    .isInstanceOfSatisfying(
                            KbsyncException.Forbidden.class,
                            e -> assertThat(e.code()).isEqualTo("NOT_REQUESTER"));
            assertThatThrownBy(() -> channel.heartbeat(waiting))
                    .isInstanceOfSatisfying(
                            KbsyncException.Forbidden.class,
                            e -> assertThat(e.code()).isEqualTo("NOT_REQUESTER"));
        }
        assertThat(api.call(GET, "/v1/kbs/owned/queue", ADMIN)
                        .bodyAsJsonObject()
                        .getJsonArray("waiters")
                        .size())
                .as("the refused calls left the queue as it was")
                .isEqualTo(1);

        assertThat(api.call(POST, "/v1/leases/" + held + "/heartbeat", CLIENT)
                        .bodyAsJsonObject()
                        .getString("state"))
                .as("still its requester's")
                .isEqualTo("granted");
        assertThat(api.call(POST, "/v1/leases/" + held + "/heartbeat", WORKER).statusCode())
                .isEqualTo(200);
        assertThat(api.call(DELETE, "/v1/leases/" + held, CLIENT)
                        .bodyAsJsonObject()
                        .getString("state"))
                .isEqualTo("released");
        assertThat(api.call(DELETE, "/v1/leases/" + waiting, ADMIN)
                        .bodyAsJsonObject()
                        .getString("state"))
                .as("an admin may end any")
                .isEqualTo("released");
    }

    /**
     * A job's id has the form of a raw lease's id ({@code <kb>~<ticket>}): named as a lease, it is no lease, for any
     * token (a job's lease ids carry its grant's fence), and a release of it changes nothing.
     */
    @Test
    void shouldAnswerNoLeaseForAJobsIdNamedAsALease() {
        api.kb("jobs-only");
        String job = api.call(
                        POST,
                        "/v1/kbs/jobs-only/notes",
                        OTHER_CLIENT,
                        new JsonObject().put("user", "u").put("text", "a note"))
                .bodyAsJsonObject()
                .getString("id");

        assertError(api.call(GET, "/v1/leases/" + job, CLIENT), 404, "LEASE_NOT_FOUND");
        assertError(api.call(DELETE, "/v1/leases/" + job, CLIENT), 404, "LEASE_NOT_FOUND");
        assertError(api.call(DELETE, "/v1/leases/" + job, ADMIN), 404, "LEASE_NOT_FOUND");
        assertThat(api.call(GET, "/v1/jobs/" + job, ADMIN).bodyAsJsonObject().getString("state"))
                .isEqualTo("queued");
    }

    private static String requested(String kb) {
        return api.call(POST, "/v1/kbs/" + kb + "/leases", CLIENT, new JsonObject().put("holder", "bot"))
                .bodyAsJsonObject()
                .getString("id");
    }
}
