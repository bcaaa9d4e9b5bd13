package dev.kbsync.api.client;

import io.vertx.core.Future;

/** An open event stream. Closing it is safe twice and never releases the lease or job it follows. */
public interface Subscription extends AutoCloseable {
    /**
     * Completes when the stream ends: the server sent its last event (a finished job, an ended lease), or it was
     * closed here; fails when the connection broke or went silent (see {@link ClientOptions#withStreamIdleTimeout}),
     * or the consumer threw.
     */
    Future<Void> ended();

    @Override
    void close();
}
