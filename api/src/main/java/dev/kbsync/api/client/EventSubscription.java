package dev.kbsync.api.client;

import dev.kbsync.api.ApiError;
import dev.kbsync.api.client.Endpoints.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;

/** The {@link Subscription} of one SSE response; closing resets its request (and so its connection). */
final class EventSubscription implements Subscription {
    /** The event a server ends a stream with when it gives up on it: its data is an {@code {"error":{...}}}. */
    private static final String ERROR_EVENT = "error";

    private static final String EVENT_STREAM = "text/event-stream";

    private final Context context;
    private final HttpClientRequest request;
    private final URI url;
    private final Promise<Void> ended = Promise.promise();

    EventSubscription(Context context, HttpClientRequest request, URI url) {
        this.context = context;
        this.request = request;
        this.url = url;
    }

    /**
     * The stream of {@code response} from {@code at}, each event (name and JSON data) passed to {@code to} on
     * {@code context}; an answer other than 200 fails as a call's would, and a 200 that is not an event stream (a
     * proxy's sign-in page) as {@link KbsyncException.NotKbsync}: read as a stream, it would end with no event.
     */
    static Future<Subscription> open(
            Context context, Endpoint at, HttpClientResponse response, BiConsumer<String, JsonObject> to) {
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
        EventSubscription subscription = new EventSubscription(context, response.request(), at.url());
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
        response.handler(parser::feed).endHandler(v -> subscription.end()).exceptionHandler(subscription::broken);
        return Future.succeededFuture(subscription);
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
