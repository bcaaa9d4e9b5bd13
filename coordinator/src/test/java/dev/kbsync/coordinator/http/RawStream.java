package dev.kbsync.coordinator.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * An event stream read as bytes, for checks of the wire format itself (status, headers, frames and comments exactly
 * as sent), which must not go through the client's own SSE parser. Everything else uses the Java client.
 */
final class RawStream implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HttpResponse<InputStream> response;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean ended;

    /** Opens {@code path} (with its query) on the coordinator at {@code port}; {@code token} may be null. */
    RawStream(int port, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(WAIT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int status() {
        return response.statusCode();
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** Reads until {@code done} holds for the text so far, the stream ends, or 20 s passed; returns the text. */
    String readUntil(Predicate<String> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        byte[] buffer = new byte[8192];
        try {
            InputStream in = response.body();
            while (!done.test(text()) && System.nanoTime() < deadline) {
                int n = in.read(buffer);
                if (n < 0) {
                    ended = true;
                    break;
                }
                bytes.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text();
    }

    /** Whether the server ended the stream (a read found its end). */
    boolean ended() {
        return ended;
    }

    /** Reads to the end of the stream (the server ends it). */
    String readAll() {
        return readUntil(text -> false);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        response.body().close();
    }
}
