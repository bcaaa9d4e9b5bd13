package dev.kbsync.coordinator.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A route whose request is read and validated before its Redis gate, then served: a request no retry can mend is
 * answered 4xx even while Redis is down, instead of a 503 that tells the caller to retry it.
 *
 * @param read the request's typed input from its path, headers and body; throws the 4xx failure of a bad one
 * @param serve what the route does with it, once the gate let it through
 * @param body whether a request needs a JSON body, may come without one (no Content-Type needed then), or takes none
 */
record Checked<T>(Function<RoutingContext, T> read, BiConsumer<RoutingContext, T> serve, Body body) {
    private static final String INPUT = "kbsync.checked.input";

    /** What a route takes as its body. */
    enum Body {
        REQUIRED,
        OPTIONAL,
        /** None: its input is its path, headers and query (a GET's). */
        NONE
    }

    /** A route whose JSON body is required. */
    Checked(Function<RoutingContext, T> read, BiConsumer<RoutingContext, T> serve) {
        this(read, serve, Body.REQUIRED);
    }

    /** A route that takes no body: its input is read from its path, headers and query. */
    static <T> Checked<T> query(Function<RoutingContext, T> read, BiConsumer<RoutingContext, T> serve) {
        return new Checked<>(read, serve, Body.NONE);
    }

    /** Reads the input and keeps it on the request for {@link #handler()}. */
    Handler<RoutingContext> check() {
        return ctx -> {
            ctx.put(INPUT, read.apply(ctx));
            ctx.next();
        };
    }

    /** Serves the request with the input {@link #check()} read. */
    Handler<RoutingContext> handler() {
        return ctx -> serve.accept(ctx, ctx.get(INPUT));
    }
}
