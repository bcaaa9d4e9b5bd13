package dev.kbsync.coordinator.degraded;

import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A blocking HTTP client for one coordinator (auth off): JSON in, status and JSON out. */
record Http(int port) {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Answer(int status, JsonObject body, String retryAfter) {
        String error() {
            JsonObject error = body.getJsonObject("error");
            return error == null ? null : error.getString("code");
        }
    }

    Answer note(String kb, String user, String text) {
        return send(
                "POST",
                "/v1/kbs/" + kb + "/notes",
                new JsonObject().put("user", user).put("text", text));
    }

    /** {@link #note} preferring the short answer ({@code Prefer: return=minimal}). */
    Answer noteMinimal(String kb, String user, String text) {
        return send(
                "POST",
                "/v1/kbs/" + kb + "/notes",
                new JsonObject().put("user", user).put("text", text),
                Map.of("Prefer", "return=minimal"));
    }

    /** {@code path}'s body as text ({@code /metrics}), or the exception's text. */
    String text(String path) {
        try {
            return CLIENT.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(15))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer send(String method, String path, JsonObject body) {
        return send(method, path, body, Map.of());
    }

    Answer send(String method, String path, JsonObject body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String text = response.body();
            return new Answer(
                    response.statusCode(),
                    text.startsWith("{") ? new JsonObject(text) : new JsonObject(),
                    response.headers().firstValue("Retry-After").orElse(null));
        } catch (IOException e) {
            return new Answer(-1, new JsonObject().put("exception", e.toString()), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the coordinator serves from Redis (a coordinator started on a loaded machine may not have reached
     * Redis within its start wait: it listens in degraded mode and journals everything until it does).
     */
    void awaitRedis() {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/v1/kbs").status() == 200);
    }

    /**
     * Waits until the coordinator serves from Redis with an empty journal ({@code /readyz}: mode normal, journal 0): on
     * a loaded machine two health probes of a new coordinator may time out while Redis answers, and a note is then
     * journaled and restored at the next probe; after this wait a test's first notes are in Redis.
     */
    void awaitNormalWithEmptyJournal() {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonObject ready = get("/readyz").body();
            return "normal".equals(ready.getString("mode")) && ready.getInteger("journal", -1) == 0;
        });
    }

    /** Waits until the coordinator says it serves in degraded mode ({@code /readyz}), up to {@code atMost}. */
    void awaitDegraded(Duration atMost) {
        await().atMost(atMost)
                .until(() -> "degraded".equals(get("/readyz").body().getString("mode")));
    }

    /** True once Redis answers the job's read (a journal job is answered from the journal, marked "degraded"). */
    boolean inRedis(String jobId) {
        Answer read = get("/v1/jobs/" + jobId);
        return read.status() == 200 && read.body().getString("mode") == null;
    }

    /**
     * Jobs of {@code kb} in Redis's queue now: the holder, the running group-commit members and the waiters; -1 while
     * the read is answered otherwise (a 503 while the KB's journal is being restored, for one).
     */
    int queued(String kb) {
        Answer read = get("/v1/kbs/" + kb + "/queue");
        return read.status() == 200 ? count(read.body()) : -1;
    }

    /**
     * {@link #queued}, read again while the coordinator answers otherwise, as a client would after a 503's Retry-After
     * (a read of a queue of thousands that outlasts its bound on a loaded machine, for one), for up to 60 s; a failure
     * names the last answer.
     */
    int queuedOnceAnswered(String kb) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Answer read = get("/v1/kbs/" + kb + "/queue");
        while (read.status() != 200 && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(500));
            read = get("/v1/kbs/" + kb + "/queue");
        }
        if (read.status() != 200) {
            throw new AssertionError("the queue of " + kb + " read for 60 s, last answered " + read.status() + " "
                    + read.body().encode() + " (Retry-After " + read.retryAfter() + ")");
        }
        return count(read.body());
    }

    private static int count(JsonObject queue) {
        return (queue.getJsonObject("holder") == null ? 0 : 1)
                + queue.getJsonArray("running").size()
                + queue.getJsonArray("waiters").size();
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
