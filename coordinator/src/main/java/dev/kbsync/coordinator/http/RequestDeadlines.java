package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP connection that has not delivered a whole request (request line, headers and body) within {@code
 * limit} of opening or of its previous answer's end (http.requestReadSeconds): a stalled or trickling request, a body
 * shorter than its Content-Length, an idle keep-alive connection. Vert.x tells nothing of a request before its head is
 * read whole, so one deadline covers the wait for a request and its arrival; a request whose head was read is answered
 * 408 before the close. Each close is counted (kbsync_http_request_read_timeouts_total).
 *
 * <p>An answer given before its request's body arrived (413, or a request that failed at once) that says {@code
 * Connection: close} closes the connection once written, rather than at the deadline.
 *
 * <p>From a request read whole until its answer ends the connection has no deadline: a long poll or an event stream may
 * stay silent as long as it must. A connection upgraded to a WebSocket (the lease channel, answered 101) has none
 * either; its pings bound it. A request the router never sees (no Host, or one the decoder could not read) leaves the
 * running deadline as it is. HTTP/1.x only: the server offers no HTTP/2, whose streams share a connection.
 */
final class RequestDeadlines implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(RequestDeadlines.class);

    private final Vertx vertx;
    private final long limitMs;
    private final PrometheusMetrics metrics;
    /**
     * Each open HTTP connection's deadline. Weak keys: a connection upgraded to a WebSocket never reports its close as
     * an HTTP connection, and its entry goes with it. A {@link Deadline} holds no reference to its connection.
     */
    private final Map<HttpConnection, Deadline> open = Collections.synchronizedMap(new WeakHashMap<>());

    RequestDeadlines(Vertx vertx, Duration limit, PrometheusMetrics metrics) {
        this.vertx = vertx;
        this.limitMs = limit.toMillis();
        this.metrics = metrics;
    }

    /** The server's connection handler: a new connection owes its first request. */
    Handler<HttpConnection> connections() {
        return connection -> {
            Deadline deadline = new Deadline();
            open.put(connection, deadline);
            connection.closeHandler(v -> {
                open.remove(connection);
                deadline.cancel();
            });
            deadline.arm(connection);
        };
    }

    /** The router's first handler: follows each request until it is read whole and answered. */
    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpConnection connection = request.connection();
        Deadline deadline = open.get(connection);
        if (deadline != null) {
            HttpServerResponse response = ctx.response();
            long turn = deadline.begin(connection, response);
            if (request.isEnded()) {
                deadline.read(turn, connection, response);
            } else {
                request.end().onSuccess(v -> deadline.read(turn, connection, response));
            }
            ctx.addEndHandler(answered -> {
                if (answered.succeeded()) {
                    deadline.answered(turn, connection);
                    if (!request.isEnded()
                            && "close".equalsIgnoreCase(response.headers().get("Connection"))
                            && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
                        // an answer instead of the body the client asked whether to send: it sends none, so the
                        // connection closes now; a client that sends its body unasked is let finish (closing now
                        // would reset it mid-body, before it reads the answer: RFC 9112, 9.6)
                        connection.close();
                    }
                }
            });
        }
        ctx.next();
    }

    /**
     * Closes {@code connection}; a request whose head had arrived (its body had not) is answered 408 first, when it has
     * no answer yet. Without a head there is nothing to answer: an idle keep-alive connection is closed as RFC 9110
     * allows, and so is one whose head never ended.
     */
    private void expired(HttpConnection connection, HttpServerResponse unread) {
        open.remove(connection);
        metrics.requestReadTimeout(unread != null);
        log.debug(
                "closing the connection of {}: no whole request within {} ms of its opening or last answer",
                connection.remoteAddress(),
                limitMs);
        if (unread == null || unread.headWritten()) {
            connection.close();
            return;
        }
        Responses.closing(unread, HttpError.forStatus(408), connection);
    }

    /**
     * One connection's deadline, armed while the connection owes a whole request. Used on the connection's event loop
     * only. Requests are numbered ({@code turn}) so that a late event of an earlier, pipelined request changes nothing.
     */
    private final class Deadline {
        private long timer = -1;
        private long turn;
        private long readTurn;
        /** The answer of the request whose head arrived and whose body has not, if any (it holds the connection). */
        private HttpServerResponse unread;

        /** A request begins: it must be read whole before the running deadline, or within the limit if none runs. */
        long begin(HttpConnection connection, HttpServerResponse response) {
            if (timer == -1) {
                arm(connection);
            }
            unread = response;
            return ++turn;
        }

        /** Request {@code of} was read whole: no deadline while it is answered, a new one if it was answered already. */
        void read(long of, HttpConnection connection, HttpServerResponse response) {
            if (of != turn) {
                return;
            }
            readTurn = of;
            unread = null;
            if (response.getStatusCode() == 101) {
                cancel(); // a WebSocket now
                open.remove(connection);
            } else if (response.ended()) {
                arm(connection);
            } else {
                cancel();
            }
        }

        /** Request {@code of} was answered: once it was read whole, the connection owes its next request. */
        void answered(long of, HttpConnection connection) {
            if (of == turn && readTurn == of) {
                arm(connection);
            }
        }

        void arm(HttpConnection connection) {
            cancel();
            timer = vertx.setTimer(limitMs, id -> {
                timer = -1;
                expired(connection, unread);
            });
        }

        void cancel() {
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
