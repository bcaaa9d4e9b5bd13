package dev.kbsync.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A small blocking client of the coordinator's HTTP API v1, for the command line. */
final class ApiClient {
    private final URI base;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ApiClient(URI base, Optional<String> token) {
        this.base = base;
        this.token = token.filter(t -> !t.isBlank());
    }

    JsonObject post(String path, JsonObject body, Optional<String> idempotencyKey) {
        HttpRequest.Builder request = request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        idempotencyKey.ifPresent(key -> request.header("Idempotency-Key", key));
        return json(send(request.build()));
    }

    JsonObject get(String path) {
        return json(send(request(path).GET().build()));
    }

    /**
     * Follows an SSE stream, handing each event to {@code handler} until it returns false or the stream ends.
     */
    void follow(String path, Predicate<SseEvent> handler) {
        HttpRequest request =
                request(path).header("Accept", "text/event-stream").GET().build();
        HttpResponse<Stream<String>> response = call(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() >= 400) {
            throw error(response.statusCode(), String.join("\n", response.body().toList()));
        }
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            String name = "message";
            StringBuilder data = new StringBuilder();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (data.length() > 0 && !handler.test(new SseEvent(name, new JsonObject(data.toString())))) {
                        return;
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private HttpResponse<String> send(HttpRequest request) {
        HttpResponse<String> response = call(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400) {
            throw error(response.statusCode(), response.body());
        }
        return response;
    }

    private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new ApiException(0, "UNREACHABLE", "cannot reach the coordinator at " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "INTERRUPTED", "interrupted");
        }
    }

    private static JsonObject json(HttpResponse<String> response) {
        String body = response.body();
        return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
    }

    private static ApiException error(int status, String body) {
        try {
            JsonObject error = new JsonObject(body).getJsonObject("error", new JsonObject());
            return new ApiException(
                    status, error.getString("code", "HTTP_" + status), error.getString("message", "HTTP " + status));
        } catch (DecodeException | ClassCastException notJson) {
            return new ApiException(status, "HTTP_" + status, "HTTP " + status);
        }
    }
}
