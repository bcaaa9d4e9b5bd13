package dev.kbsync.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import java.util.Optional;

/**
 * The check of a request's {@code Host} that Vert.x Web's router cannot make itself: it fails a request whose authority
 * it cannot read with an exception (a 500), and some malformed ones (a {@code %} escape) throw out of its handler, which
 * then answers nothing.
 */
public final class HostHeader {
    private HostHeader() {}

    /**
     * What is wrong with the request's {@code Host}, if anything: none on an HTTP/1.1 request, one that is not a host
     * with an optional port (a port out of range, user info, a space, an open bracket, a {@code %} escape), or two.
     */
    public static Optional<String> problem(HttpServerRequest request) {
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
}
