package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.testing.ScriptMonitor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open lease event stream keeps its lease alive (a waiter queued past the waiter TTL, a grant past its TTL), and
 * the streams open on a coordinator cost Redis one keep-alive step a second per KB, not one per stream.
 */
class StreamKeepAliveIT {
    private static final Logger LOG = LoggerFactory.getLogger(StreamKeepAliveIT.class);
    private static final int WAITERS = 20;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_LEASE_WAITER_TTL_SECONDS", "3"));

    @Test
    void shouldKeepEveryStreamingWaiterOfAKbAliveWithOneStepASecond() throws Exception {
        api.kb("kept");
        String holder = request("kept", new JsonObject().put("holder", "holder").put("ttlMs", 60_000));
        List<String> waiters = new ArrayList<>();
        List<EventStream<LeaseEvent>> streams = new ArrayList<>();
        try {
            for (int i = 0; i < WAITERS; i++) {
                String id = request("kept", new JsonObject().put("holder", "w" + i));
                waiters.add(id);
                EventStream<LeaseEvent> stream = api.client(CLIENT).leaseEvents(id);
                streams.add(stream);
                assertThat(stream.next(Duration.ofSeconds(10))).isInstanceOf(LeaseEvent.State.class);
            }
            Thread.sleep(1500); // every registration beat at least once
            int steps;
            try (ScriptMonitor monitor = ScriptMonitor.start(api.redis.port())) {
                Thread.sleep(3500); // longer than the waiter TTL (3 s)
                steps = monitor.scriptsWithArgument(waiters);
            }
            LOG.info("{} scripts kept {} streaming waiters of one KB alive for 3.5 s", steps, WAITERS);
            assertThat(steps)
                    .as("scripts naming a waiter in 3.5 s (one per stream a second would be %d)", 3 * WAITERS)
                    .isBetween(2, 5);
            for (int i = 0; i < WAITERS; i++) {
                JsonObject lease = lease(waiters.get(i));
                assertThat(lease.getString("state")).as("waiter %d", i).isEqualTo("waiting");
                assertThat(lease.getLong("ahead")).as("waiter %d", i).isEqualTo(i + 1L);
            }

            // Closing a stream stops keeping its waiter alive: it leaves the queue; the others stay.
            for (int i = 0; i < WAITERS; i += 2) {
                streams.get(i).close();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> IntStream.range(0, WAITERS)
                            .filter(i -> i % 2 == 0)
                            .allMatch(
                                    i -> !"waiting".equals(lease(waiters.get(i)).getString("state"))));
            Thread.sleep(3500); // past another waiter TTL
            for (int i = 1; i < WAITERS; i += 2) {
                JsonObject lease = lease(waiters.get(i));
                assertThat(lease.getString("state")).as("waiter %d", i).isEqualTo("waiting");
                assertThat(lease.getLong("ahead")).as("waiter %d", i).isEqualTo((i + 1L) / 2);
            }
            assertThat(lease(holder).getString("state")).isEqualTo("granted");
        } finally {
            streams.forEach(EventStream::close);
        }
    }

    @Test
    void shouldKeepAGrantWhoseStreamIsOpenPastItsTtl() throws Exception {
        api.kb("held");
        String holder = request("held", new JsonObject().put("holder", "holder").put("ttlMs", 2500));
        try (EventStream<LeaseEvent> stream = api.client(CLIENT).leaseEvents(holder)) {
            assertThat(stream.next(Duration.ofSeconds(10))).isInstanceOf(LeaseEvent.State.class);
            Thread.sleep(5000);
            assertThat(lease(holder).getString("state")).isEqualTo("granted");
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !"granted".equals(lease(holder).getString("state")));
    }

    private static String request(String kb, JsonObject body) {
        HttpResponse<Buffer> response = api.call(POST, "/v1/kbs/" + kb + "/leases", CLIENT, body);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
        return response.bodyAsJsonObject().getString("id");
    }

    private static JsonObject lease(String id) {
        return api.call(GET, "/v1/leases/" + id, CLIENT).bodyAsJsonObject();
    }
}
