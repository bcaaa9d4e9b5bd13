package dev.kbsync.coordinator.http;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real webhook receiver for tests: an HTTP server on 127.0.0.1 that records every POST per path and answers each
 * path's scripted statuses in turn (then 200; 0 = never answer).
 */
final class HookReceiver implements AutoCloseable {
    /** A POST received, {@code at} its arrival ({@link System#nanoTime}). */
    record Delivery(String path, MultiMap headers, Buffer body, long at) {
        String deliveryId() {
            return headers.get("Kbsync-Delivery");
        }
    }

    private final HttpServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Integer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final java.util.Set<String> trickles = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> bodies = new ConcurrentHashMap<>();
    private final Vertx vertx;

    HookReceiver(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(this::handle);
        server.listen(0, "127.0.0.1").await();
    }

    String url(String path) {
        return url("127.0.0.1", path);
    }

    /** The URL of {@code path} by {@code host}, a name of 127.0.0.1 (e.g. localhost). */
    String url(String host, String path) {
        return "http://" + host + ":" + server.actualPort() + path;
    }

    /** {@code path} answers these statuses first, in order (0: holds the request unanswered). */
    void script(String path, Integer... statuses) {
        scripts.put(path, new ArrayDeque<>(List.of(statuses)));
    }

    /** {@code path} answers 200 at once, then its body one byte every 300 ms, without end (until the caller hangs up). */
    void trickle(String path) {
        trickles.add(path);
    }

    /** {@code path} answers each POST with a body of {@code bytes} bytes (its status as scripted). */
    void body(String path, int bytes) {
        bodies.put(path, bytes);
    }

    /** {@code path} answers each POST {@code ms} after it arrived. */
    void delay(String path, long ms) {
        delays.put(path, ms);
    }

    List<Delivery> deliveries(String path) {
        return deliveries.stream().filter(d -> d.path().equals(path)).toList();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            deliveries.add(new Delivery(request.path(), request.headers(), body, System.nanoTime()));
            if (trickles.contains(request.path())) {
                request.response().setChunked(true).setStatusCode(200).write("x");
                vertx.setPeriodic(300, t -> {
                    if (request.response().closed() || request.response().ended()) {
                        vertx.cancelTimer(t);
                    } else {
                        request.response().write("x");
                    }
                });
                return;
            }
            Deque<Integer> script = scripts.get(request.path());
            Integer status = script == null ? null : script.pollFirst();
            if (status == null || status != 0) {
                Buffer answerBody = Buffer.buffer(new byte[bodies.getOrDefault(request.path(), 0)]);
                Runnable answer = () -> request.response()
                        .setStatusCode(status == null ? 200 : status)
                        .end(answerBody);
                long delay = delays.getOrDefault(request.path(), 0L);
                if (delay > 0) {
                    vertx.setTimer(delay, t -> answer.run());
                } else {
                    answer.run();
                }
            }
        });
    }

    /** What a receiver does: recompute the signature over {@code t + "." + body} with the shared secret. */
    static boolean validSignature(Delivery d, String secret) throws Exception {
        String header = d.headers().get("Kbsync-Signature");
        String t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            if (part.startsWith("t=")) {
                t = part.substring(2);
            } else if (part.startsWith("v1=")) {
                v1 = part.substring(3);
            }
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
        String expected =
                java.util.HexFormat.of().formatHex(mac.doFinal(d.body().getBytes()));
        long age = System.currentTimeMillis() / 1000 - Long.parseLong(t);
        return java.security.MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.US_ASCII), v1.getBytes(StandardCharsets.US_ASCII))
                && age >= -60
                && age < 300;
    }

    @Override
    public void close() {
        server.close().await();
    }
}
