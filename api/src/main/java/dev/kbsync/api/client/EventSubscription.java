package dev.kbsync.api.client;

import dev.kbsync.api.ApiError;
import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The {@link Subscription} of one SSE response; closing resets its request (and so its connection). A stream that
 * hears nothing, not even a keep-alive, for its {@link #silence} is taken for broken: its peer is gone without closing.
 */
final class EventSubscription implements Subscription {
    /** The header in which a coordinator names its streams' keep-alive period, in whole seconds. */
    private static final String KEEP_ALIVE_HEADER = "X-Kbsync-Keep-Alive-Seconds";

    /** The event a server ends a stream with when it gives up on it: its data is an {@code {"error":{...}}}. */
    private static final String ERROR_EVENT = "error";

    private static final String EVENT_STREAM = "text/event-stream";

    /** The longest keep-alive period taken from a coordinator (a day); a longer one, as a malformed one, is ignored. */
    private static final long MAX_PERIOD_SECONDS = 86_400;

    private final Context context;
    private final HttpClientRequest request;
    private final URI url;
    private final Duration bound;
    private final Promise<Void> ended = Promise.promise();
    private volatile long heardAt = System.nanoTime();
    private volatile long timer;

    EventSubscription(Context context, HttpClientRequest request, URI url, Duration bound) {
        this.context = context;
        this.request = request;
        this.url = url;
        this.bound = bound;
    }

    /**
     * How long a stream may hear nothing before it is taken for broken: 2.5 of the keep-alive periods its coordinator
     * announces ({@code announced}, the {@link #KEEP_ALIVE_HEADER}; the dashboard's and the Python client's rule),
     * else, without a period from 1 s to a day, {@code fallback} (the client's streamIdleTimeout).
     */
    static Duration silence(String announced, Duration fallback) {
        long seconds;
        try {
            seconds = announced == null ? 0 : Long.parseLong(announced.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
        return seconds < 1 || seconds > MAX_PERIOD_SECONDS
                ? fallback
                : Duration.ofSeconds(seconds).multipliedBy(5).dividedBy(2);
    }

    /**
     * The stream of {@code response} from {@code at}, each event (name and JSON data) passed to {@code to} on
     * {@code context}; an answer other than 200 fails as a call's would, and a 200 that is not an event stream (a
     * proxy's sign-in page) as {@link KbsyncException.NotKbsync}: read as a stream, it would end with no event. The
     * stream fails once it heard nothing for its {@link #silence} ({@code idleTimeout} when the coordinator names no
     * keep-alive period).
     */
    static Future<Subscription> open(
            Context context,
            Endpoint at,
            HttpClientResponse response,
            Duration idleTimeout,
            BiConsumer<String, JsonObject> to) {
        if (response.statusCode() != 200) {
            return response.body().map(b -> {
                Answer.of(at, response, b).json();
                throw new KbsyncException.NotKbsync(
                        at.url(), "HTTP " + response.statusCode() + " where an event stream was expected", null);
            });
        }
        String type = response.getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(EVENT_STREAM)) {
            response.request().reset(); // its body is not read: it may be long, or never end
            return Future.failedFuture(new KbsyncException.NotKbsync(
                    at.url(),
                    "HTTP 200 with Content-Type " + (type == null ? "none" : type) + " where an event stream ("
                            + EVENT_STREAM + ") was expected",
                    null));
        }
        Duration silence = silence(response.getHeader(KEEP_ALIVE_HEADER), idleTimeout);
        EventSubscription subscription = new EventSubscription(context, response.request(), at.url(), silence);
        SseParser parser = new SseParser((name, data) -> {
            try {
                if (name.equals(ERROR_EVENT)) { // the server ended the stream with a reason (e.g. SLOW_CONSUMER)
                    JsonObject json = new JsonObject(data);
                    subscription.fail(KbsyncException.of(
                            503, ApiError.fromJson(json).orElse(new ApiError("STREAM_ERROR", data)), Optional.empty()));
                    return;
                }
                to.accept(name, new JsonObject(data));
            } catch (RuntimeException e) { // malformed data, or the consumer threw: the stream ends with it
                subscription.fail(e);
            }
        });
        response.handler(chunk -> {
                    subscription.heardAt = System.nanoTime();
                    parser.feed(chunk);
                })
                .endHandler(v -> subscription.end())
                .exceptionHandler(subscription::broken);
        subscription.watch(silence.toMillis());
        subscription.ended.future().onComplete(v -> context.owner().cancelTimer(subscription.timer));
        return Future.succeededFuture(subscription);
    }

    /** Checks in {@code delayMs} how long the stream has been silent: fails it past its bound, else checks again. */
    private void watch(long delayMs) {
        timer = ((ContextInternal) context).setTimer(delayMs, t -> {
            long quietMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heardAt);
            if (quietMs >= bound.toMillis()) {
                fail(new KbsyncException.Unreachable(
                        "the event stream from " + url + " heard nothing for " + quietMs + " ms, not even a"
                                + " keep-alive (its bound: " + bound.toMillis() + " ms); its peer is gone",
                        null));
            } else if (!ended.future().isComplete()) {
                watch(bound.toMillis() - quietMs);
            }
        });
    }

    @Override
    public Future<Void> ended() {
        return ended.future();
    }

    @Override
    public void close() {
        if (ended.tryComplete()) {
            context.runOnContext(v -> request.reset());
        }
    }

    void end() {
        ended.tryComplete();
    }

    /** The connection broke. */
    void broken(Throwable cause) {
        fail(KbsyncException.failed(cause, url));
    }

    /** The stream cannot go on (malformed data, or the consumer threw): it ends with {@code failure}. */
    void fail(RuntimeException failure) {
        if (ended.tryFail(failure)) {
            context.runOnContext(v -> request.reset());
        }
    }
}
