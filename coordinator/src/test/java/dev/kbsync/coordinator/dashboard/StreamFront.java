package dev.kbsync.coordinator.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP front (a reverse proxy, as a deployment puts one) before a coordinator, that a test can make treat the page's
 * stream ({@code GET /v1/events}) badly: {@link #freezeStreams()} keeps the connection open and passes no byte more
 * (a peer gone without closing), {@link #endStreamsWith(String)} ends each stream soon after its first events with
 * the given text (the coordinator dropping a slow consumer), {@link #refuse(int, int)} answers every API request itself
 * (a front in maintenance). It keeps every request line it passes ({@link #asked()}).
 */
final class StreamFront implements AutoCloseable {
    private static final Set<String> HOP =
            Set.of("connection", "content-length", "host", "transfer-encoding", "expect", "upgrade", "keep-alive");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(work -> {
        Thread thread = new Thread(work, "stream-front");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newHttpClient();
    private final int target;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;
    private volatile String ending;
    private volatile int refusing;
    private volatile int refusalSeconds;
    private volatile long streamBytesAt = System.nanoTime();

    private StreamFront(int target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(threads);
        server.createContext("/", this::pass);
        server.start();
    }

    /** A front on a free loopback port before the coordinator on {@code target}. */
    static StreamFront before(int target) {
        try {
            return new StreamFront(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The request lines' method and target ({@code GET /v1/workers}) of every request so far, in order. */
    List<String> asked() {
        return List.copyOf(asked);
    }

    /** How many of the requests so far asked for {@code path} exactly (its query aside). */
    long count(String path) {
        return asked.stream()
                .filter(line -> line.split(" ")[1].split("\\?")[0].equals(path))
                .count();
    }

    /** When ({@link System#nanoTime()}) bytes of a stream last went to the page. */
    long streamBytesAt() {
        return streamBytesAt;
    }

    void freezeStreams() {
        frozen = true;
    }

    void thawStreams() {
        frozen = false;
    }

    /** From now on each stream, those open too, ends 300 ms after it opened, with {@code text} last. */
    void endStreamsWith(String text) {
        ending = text;
    }

    /** From now on every API request ({@code /v1/...}) is answered {@code status} with {@code Retry-After: seconds}. */
    void refuse(int status, int seconds) {
        refusalSeconds = seconds;
        refusing = status;
    }

    private static HttpRequest.BodyPublisher body(byte[] bytes) {
        return bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes);
    }

    private static void header(HttpRequest.Builder request, String name, String value) {
        try {
            request.header(name, value);
        } catch (IllegalArgumentException restricted) {
            // one the client sets itself
        }
    }

    private void pass(HttpExchange exchange) throws IOException {
        asked.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        boolean stream = exchange.getRequestURI().getPath().equals("/v1/events");
        int refusal = refusing;
        try (exchange) {
            if (refusal > 0 && exchange.getRequestURI().getPath().startsWith("/v1/")) {
                byte[] body = "{\"error\":{\"code\":\"MAINTENANCE\",\"message\":\"back later\"}}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.getResponseHeaders().add("Retry-After", Integer.toString(refusalSeconds));
                exchange.sendResponseHeaders(refusal, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            awaitThawed(stream);
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + target + exchange.getRequestURI()))
                    .method(
                            exchange.getRequestMethod(),
                            body(exchange.getRequestBody().readAllBytes()));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase())) {
                    values.forEach(value -> header(request, name, value));
                }
            });
            HttpResponse<InputStream> response =
                    client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.headers().map().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            boolean empty =
                    response.statusCode() == 204 || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : 0);
            copy(response.body(), exchange.getResponseBody(), stream && response.statusCode() == 200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // the page or the coordinator closed its side
        }
    }

    /** A stream's bytes as they come (read on a thread of their own, so that it can end or pause between them). */
    private void copy(InputStream from, OutputStream to, boolean stream) throws IOException, InterruptedException {
        try (from) {
            if (!stream) {
                from.transferTo(to);
                return;
            }
            long endAt = System.nanoTime() + 300_000_000L;
            BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
            threads.execute(() -> read(from, chunks));
            for (byte[] chunk; ; ) {
                String end = ending;
                if (end != null && System.nanoTime() - endAt > 0) {
                    to.write(end.getBytes(StandardCharsets.UTF_8));
                    to.flush();
                    return;
                }
                if ((chunk = chunks.poll(50, TimeUnit.MILLISECONDS)) == null) {
                    continue;
                }
                if (chunk.length == 0) {
                    return;
                }
                awaitThawed(true);
                to.write(chunk);
                to.flush();
                streamBytesAt = System.nanoTime();
            }
        }
    }

    private static void read(InputStream from, BlockingQueue<byte[]> chunks) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = from.read(buffer)) >= 0; ) {
                chunks.add(Arrays.copyOf(buffer, n));
            }
        } catch (IOException closed) {
            // the stream ended early
        }
        chunks.add(new byte[0]);
    }

    private void awaitThawed(boolean stream) throws InterruptedException {
        while (stream && frozen) {
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
