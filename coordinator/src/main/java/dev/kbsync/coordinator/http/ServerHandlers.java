package dev.kbsync.coordinator.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Optional;

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
     * The server's request handler: {@code router}, behind a check the router cannot make itself: a request without a
     * {@code Host} header (HTTP/1.1), with one that is not a host and optional port, or with two, is refused 400 (the
     * router fails a request whose authority it cannot read with an exception, which would answer 500, or throws
     * out of its handler, which answers nothing).
     */
    static Handler<HttpServerRequest> requests(Router router) {
        return request -> {
            hostProblem(request).ifPresentOrElse(problem -> refuse(request, problem), () -> router.handle(request));
        };
    }

    /** What is wrong with the request's {@code Host}, if anything. */
    private static Optional<String> hostProblem(HttpServerRequest request) {
        List<String> hosts = request.headers().getAll("Host");
        if (hosts.size() > 1) {
            return Optional.of("a request carries one Host header, not " + hosts.size());
        }
        if (hosts.isEmpty()) {
            return request.version() != HttpVersion.HTTP_1_0 && authority(request) == null
                    ? Optional.of("a Host header is required")
                    : Optional.empty();
        }
        return authority(request) == null
                ? Optional.of("the Host header is not a host with an optional port")
                : Optional.empty();
    }

    /** The request's authority, null when it has none or Vert.x cannot read it (some malformed ones throw). */
    private static HostAndPort authority(HttpServerRequest request) {
        try {
            return request.authority();
        } catch (RuntimeException unreadable) {
            return null;
        }
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
