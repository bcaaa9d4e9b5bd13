package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.event.KbRemovedEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.coordinator.Coordinator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A KB's own event stream ({@code GET /v1/kbs/{kb}/events}) of a KB that is removed: it gets a final
 * {@code kb-removed} event and ends, on the coordinator that removed it and on another one.
 */
class KbRemovedStreamIT {
    private static final Duration SOON = Duration.ofSeconds(5);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    @Test
    void shouldEndTheKbStreamWithKbRemovedWhenTheKbIsRemoved() throws Exception {
        register("followed");
        try (RawStream events = api.rawStream("/v1/kbs/followed/events", CLIENT)) {
            events.readUntil(text -> text.contains("event: snapshot"));

            assertThat(api.call(DELETE, "/v1/kbs/followed", ADMIN).statusCode()).isEqualTo(204);

            assertEndsWithRemoval(events, "followed");
        }
    }

    @Test
    void shouldEndTheKbStreamOnAnotherCoordinatorWhenTheKbIsRemovedThere() throws Exception {
        register("elsewhere");
        Coordinator other = api.another(Map.of("KBSYNC_COORDINATOR_ID", "removal-2"));
        Thread.sleep(1500); // the coordinators have heard each other's presence (a removal is told to known peers)
        try (RawStream events = new RawStream(other.port(), "/v1/kbs/elsewhere/events", CLIENT)) {
            events.readUntil(text -> text.contains("event: snapshot"));

            assertThat(api.call(DELETE, "/v1/kbs/elsewhere", ADMIN).statusCode())
                    .isEqualTo(204);

            assertEndsWithRemoval(events, "elsewhere");
        } finally {
            other.stop().await();
        }
    }

    /** The Java client's queue stream hands its reader the {@code kb-removed}, then ends: the bot stops following. */
    @Test
    void shouldTellTheJavaClientsQueueStreamReaderThatTheKbWasRemoved() {
        register("told");
        List<KbsyncEvent> events = new ArrayList<>();
        try (var stream = api.client(CLIENT).queueEvents(KbId.of("told"))) {
            events.add(stream.next(SOON));

            assertThat(api.call(DELETE, "/v1/kbs/told", ADMIN).statusCode()).isEqualTo(204);

            stream.forEachRemaining(events::add);
        }
        assertThat(events).extracting(KbsyncEvent::name).first().isEqualTo("snapshot");
        assertThat(events).last().isEqualTo(new KbRemovedEvent(KbId.of("told")));
    }

    /** The stream's last event is {@code kb-removed} for {@code kb}, and the stream ends soon after the removal. */
    private static void assertEndsWithRemoval(RawStream events, String kb) {
        long started = System.nanoTime();
        String text = events.readAll();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(text).endsWith("event: kb-removed\ndata: {\"kb\":\"" + kb + "\"}\n\n");
        assertThat(took).as("the stream ended").isLessThan(SOON);
    }

    private static void register(String kb) {
        HttpResponse<Buffer> put = api.call(
                PUT,
                "/v1/kbs/" + kb,
                ADMIN,
                new JsonObject()
                        .put("remote", "https://git.example.com/" + kb + ".git")
                        .put("branch", "main"));
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    }
}
