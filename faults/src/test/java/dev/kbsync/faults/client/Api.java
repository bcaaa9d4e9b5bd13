package dev.kbsync.faults.client;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The coordinators' public HTTP API as a client sees it: plain HTTP with a bearer token, each call to one of the
 * coordinators. A call without an answer within its timeout throws {@link IOException}: its outcome is unknown.
 */
public final class Api {
    private static final Duration CALL = Duration.ofSeconds(5);

    private final List<URI> coordinators;
    private final String token;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Api(List<URI> coordinators, String token) {
        this.coordinators = List.copyOf(coordinators);
        this.token = token;
    }

    /** One of the coordinators, at random. */
    public URI any() {
        return coordinators.get(ThreadLocalRandom.current().nextInt(coordinators.size()));
    }

    public Answer get(URI base, String path) throws IOException {
        return send(base, "GET", path, null);
    }

    public Answer post(URI base, String path, JsonObject body) throws IOException {
        return send(base, "POST", path, body);
    }

    public Answer delete(URI base, String path) throws IOException {
        return send(base, "DELETE", path, null);
    }

    public Answer put(URI base, String path, JsonObject body) throws IOException {
        return send(base, "PUT", path, body);
    }

    private Answer send(URI base, String method, String path, JsonObject body) throws IOException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(base.resolve(path)).timeout(CALL).header("Authorization", "Bearer " + token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    json(response.body()),
                    response.headers().firstValue("Retry-After").isPresent());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static JsonObject json(String body) {
        if (body == null || body.isBlank()) {
            return new JsonObject();
        }
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException notAnObject) {
            return new JsonObject();
        }
    }
}
