package dev.kbsync.coordinator.http;

import static org.awaitility.Awaitility.await;

import dev.kbsync.vertx.OnContext;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a text/event-stream response with a raw HTTP client and parses it into events. The chain is built on the
 * fixture's context ({@link OnContext}) so the handlers are attached before any of the stream arrives.
 */
final class SseClient implements AutoCloseable {
    record Event(String name, JsonObject data) {}

    private final HttpClient http;
    private final StringBuffer text = new StringBuffer();
    private final HttpClientResponse response;
    private volatile boolean ended;

    SseClient(ApiFixture api, String path, String token) {
        http = api.vertx.createHttpClient();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(api.port())
                .setURI(path);
        if (token != null) {
            options.putHeader("Authorization", "Bearer " + token);
        }
        response = OnContext.run(
                        api.context,
                        () -> http.request(options)
                                .compose(r -> r.send())
                                .map(r -> r.handler(b -> text.append(b.toString()))
                                        .endHandler(v -> ended = true)))
                .await();
    }

    int status() {
        return response.statusCode();
    }

    String header(String name) {
        return response.getHeader(name);
    }

    String raw() {
        return text.toString();
    }

    /** Every complete event so far (comments skipped). */
    List<Event> events() {
        List<Event> events = new ArrayList<>();
        String all = raw();
        int end = all.lastIndexOf("\n\n");
        if (end < 0) {
            return events;
        }
        for (String frame : all.substring(0, end).split("\n\n")) {
            String name = null;
            String data = null;
            for (String line : frame.split("\n")) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (name != null) {
                events.add(new Event(name, new JsonObject(data)));
            }
        }
        return events;
    }

    List<Event> awaitEvents(int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> events().size() >= count);
        return events();
    }

    void awaitEnd() {
        await().atMost(Duration.ofSeconds(20)).until(() -> ended);
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        http.close().await();
    }
}
