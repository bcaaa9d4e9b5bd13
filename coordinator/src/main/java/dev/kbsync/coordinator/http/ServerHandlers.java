package dev.kbsync.coordinator.http;

import dev.kbsync.http.HostHeader;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * The HTTP server's own handlers around the router: per connection (request deadlines, the HTTP version guard), per
 * request before the router, and for a request the HTTP decoder could not read.
 */
public final class ServerHandlers {
    private ServerHandlers() {}

    /**
     * The server's connection handler: a connection that does not deliver a whole request within http.requestReadSeconds
     * of opening or of its previous answer is closed ({@link RequestDeadlines}), and a request in an HTTP version the
     * server does not speak is refused ({@link HttpVersionGuard}).
     */
    static Handler<HttpConnection> connections(RequestDeadlines deadlines) {
        Handler<HttpConnection> deadline = deadlines.connections();
        return connection -> {
            HttpVersionGuard.install(connection);
            deadline.handle(connection);
        };
    }

    /**
     * The server's request handler: {@code router}, behind the {@link HostHeader} check the router cannot make itself
     * (refused 400 in the error shape).
     */
    static Handler<HttpServerRequest> requests(Router router) {
        return request -> HostHeader.problem(request)
                .ifPresentOrElse(problem -> refuse(request, problem), () -> router.handle(request));
    }

    private static void refuse(HttpServerRequest request, String message) {
        Responses.end(
                request.response().setStatusCode(400).putHeader("Content-Type", "application/json"),
                Buffer.buffer(Failures.error("BAD_REQUEST", message).encode()));
    }

    /**
     * The server's handler for a request its HTTP decoder could not read (a request line or headers over Vert.x's
     * limits, a garbled request line, an HTTP version other than 1.0 and 1.1): the status Vert.x would give (414, 431,
     * else 400; 505 for the version), in the API's error shape, and the connection closed, since the rest of its bytes
     * cannot be framed.
     */
    public static Handler<HttpServerRequest> invalidRequestHandler() {
        return request -> {
            Throwable cause = request.decoderResult().cause();
            HttpError error = cause instanceof HttpVersionGuard.Unsupported
                    ? new HttpError(505, "HTTP_VERSION_NOT_SUPPORTED", cause.getMessage())
                    : HttpError.forStatus(
                            cause instanceof TooLongHttpLineException
                                    ? 414
                                    : cause instanceof TooLongHttpHeaderException ? 431 : 400);
            Responses.closing(request.response(), error, request.connection());
        };
    }
}
