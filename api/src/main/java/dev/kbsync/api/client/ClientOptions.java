package dev.kbsync.api.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the coordinator is and how to talk to it. {@code url}: the coordinator's base URL ({@code http} or
 * {@code https}, API paths resolve under its path); {@code token}: the bearer token, null or blank for none;
 * {@code requestTimeout}: how long a call may go without an answer (a poll adds its wait); {@code maxConnections}:
 * keep-alive connections for calls; {@code maxStreams}: event streams open at once (each holds a connection of its
 * own, so streams never starve calls); {@code caFile}: PEM certificates the coordinator's TLS certificate must chain
 * to (an {@code https} URL only; without it the JVM's trust store decides). The host name is always verified.
 */
public record ClientOptions(
        URI url,
        String token,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxConnections,
        int maxStreams,
        Optional<Path> caFile) {
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
        Objects.requireNonNull(caFile, "caFile");
        if (caFile.isPresent() && !scheme.equals("https")) {
            throw new IllegalArgumentException(
                    "a CA file is given, but the coordinator URL is not https (the token would travel in clear text)");
        }
    }

    /** 5 s to connect, 15 s per call, 8 connections, 64 streams. */
    public static ClientOptions of(URI url, String token) {
        return new ClientOptions(url, token, Duration.ofSeconds(5), Duration.ofSeconds(15), 8, 64, Optional.empty());
    }

    /** Trusts the coordinator certificates that chain to the PEM certificates in {@code caFile}. */
    public ClientOptions withCaFile(Path caFile) {
        return new ClientOptions(
                url, token, connectTimeout, requestTimeout, maxConnections, maxStreams, Optional.of(caFile));
    }

    public ClientOptions withRequestTimeout(Duration timeout) {
        return new ClientOptions(url, token, connectTimeout, timeout, maxConnections, maxStreams, caFile);
    }

    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(url, token, timeout, requestTimeout, maxConnections, maxStreams, caFile);
    }

    public ClientOptions withMaxConnections(int connections) {
        return new ClientOptions(url, token, connectTimeout, requestTimeout, connections, maxStreams, caFile);
    }

    public ClientOptions withMaxStreams(int streams) {
        return new ClientOptions(url, token, connectTimeout, requestTimeout, maxConnections, streams, caFile);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
