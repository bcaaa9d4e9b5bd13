package dev.kbsync.api.client;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Where the coordinator is and how to talk to it. {@code url}: the coordinator's base URL ({@code http} or
 * {@code https}, API paths resolve under its path); {@code token}: the bearer token, null or blank for none;
 * {@code requestTimeout}: how long a call may go without an answer (a poll adds its wait); {@code maxConnections}:
 * keep-alive connections for calls; {@code maxStreams}: event streams open at once (each holds a connection of its
 * own, so streams never starve calls).
 */
public record ClientOptions(
        URI url, String token, Duration connectTimeout, Duration requestTimeout, int maxConnections, int maxStreams) {
    public ClientOptions {
        String scheme =
                url == null || url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException("the coordinator URL must be http(s)://host[:port][/path], got " + url);
        }
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
        if (maxConnections < 1 || maxStreams < 1) {
            throw new IllegalArgumentException("maxConnections and maxStreams must be >= 1");
        }
        token = token == null || token.isBlank() ? null : token;
    }

    /** 5 s to connect, 15 s per call, 8 connections, 64 streams. */
    public static ClientOptions of(URI url, String token) {
        return new ClientOptions(url, token, Duration.ofSeconds(5), Duration.ofSeconds(15), 8, 64);
    }

    public ClientOptions withRequestTimeout(Duration timeout) {
        return new ClientOptions(url, token, connectTimeout, timeout, maxConnections, maxStreams);
    }

    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(url, token, timeout, requestTimeout, maxConnections, maxStreams);
    }

    public ClientOptions withMaxConnections(int connections) {
        return new ClientOptions(url, token, connectTimeout, requestTimeout, connections, maxStreams);
    }

    public ClientOptions withMaxStreams(int streams) {
        return new ClientOptions(url, token, connectTimeout, requestTimeout, maxConnections, streams);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
