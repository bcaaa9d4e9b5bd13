package dev.kbsync.api.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;
import java.net.URI;

/** The {@link Subscription} of one SSE response; closing resets its request (and so its connection). */
final class EventSubscription implements Subscription {
    private final Context context;
    private final HttpClientRequest request;
    private final URI url;
    private final Promise<Void> ended = Promise.promise();

    EventSubscription(Context context, HttpClientRequest request, URI url) {
        this.context = context;
        this.request = request;
        this.url = url;
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
