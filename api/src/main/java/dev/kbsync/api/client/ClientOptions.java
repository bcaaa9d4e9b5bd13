package dev.kbsync.api.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the coordinators are and how to talk to them. {@code urls}: the coordinators' base URLs in order of preference
 * ({@code http} or {@code https}, API paths resolve under each one's path; they must share one Redis), the first one
 * used while it answers, the next one while it does not (see "Coordinator failover" in docs/operations.md);
 * {@code token}: the bearer token, null or blank for none (blanks around it are dropped); {@code requestTimeout}: how
 * long a call may go without an answer (a poll adds its wait); {@code maxConnections}: keep-alive connections for
 * calls (per coordinator; a call
 * waits for a free one as long as its answer may take, then fails {@link KbsyncException.TimedOut});
 * {@code maxStreams}: event streams open at once (each holds a connection of its own, so streams never starve
 * calls); {@code caFile}: PEM certificates the coordinators' TLS certificates must chain to ({@code https} URLs only;
 * without it the JVM's trust store decides); {@code probeInterval}: while on a coordinator other than the first, how
 * often a preferred one is probed ({@code GET /readyz}) to move back to it; {@code streamIdleTimeout}: see
 * {@link #withStreamIdleTimeout}. The host name is always verified.
 */
public record ClientOptions(
        List<URI> urls,
        String token,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxConnections,
        int maxStreams,
        Optional<Path> caFile,
        Duration probeInterval,
        Duration streamIdleTimeout) {
    public ClientOptions {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException("at least one coordinator URL is needed");
        }
        urls = List.copyOf(urls);
        if (new HashSet<>(urls).size() != urls.size()) {
            throw new IllegalArgumentException("a coordinator URL is listed twice: " + urls);
        }
        Objects.requireNonNull(caFile, "caFile");
        for (URI url : urls) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getPort() > 65535) {
                throw new IllegalArgumentException(
                        "the coordinator URL must be http(s)://host[:port][/path], got " + url);
            }
            if (caFile.isPresent() && !scheme.equals("https")) {
                throw new IllegalArgumentException("a CA file is given, but the coordinator URL " + url
                        + " is not https (the token would travel in clear text)");
            }
        }
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
        positive("probeInterval", probeInterval);
        positive("streamIdleTimeout", streamIdleTimeout);
        if (maxConnections < 1 || maxStreams < 1) {
            throw new IllegalArgumentException("maxConnections and maxStreams must be >= 1");
        }
        token = bearerToken(token);
    }

    /**
     * The token without the blanks around it (a file or variable often ends in a newline); null when blank. One that
     * holds a blank or a control character is refused, in a message that does not show it.
     */
    public static String bearerToken(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        String stripped = token.strip();
        if (stripped.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("the token holds a blank or a control character (it is not shown)");
        }
        return stripped;
    }

    /** One coordinator: 5 s to connect, 15 s per call, 8 connections, 64 streams. */
    public static ClientOptions of(URI url, String token) {
        return of(List.of(Objects.requireNonNull(url, "url")), token);
    }

    /** Coordinators in order of preference, probed every 5 s while not on the first; otherwise as {@link #of(URI, String)}. */
    public static ClientOptions of(List<URI> urls, String token) {
        return new ClientOptions(
                urls,
                token,
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                8,
                64,
                Optional.empty(),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60));
    }

    /**
     * Coordinator base URLs from their text form, in order of preference: one URL, or several separated by commas
     * (blanks around them ignored), as {@code coordinator.url} takes them for workers and {@code --url} / KBSYNC_URL
     * for the CLI.
     */
    public static List<URI> parseUrls(String text) {
        List<URI> urls = new ArrayList<>();
        for (String part : Objects.requireNonNull(text, "text").split(",")) {
            String url = part.strip();
            if (!url.isEmpty()) {
                try {
                    urls.add(new URI(url));
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("not a coordinator URL: " + url);
                }
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one coordinator URL is needed");
        }
        return List.copyOf(urls);
    }

    /** The first (preferred) coordinator. */
    public URI url() {
        return urls.get(0);
    }

    /** Trusts the coordinator certificates that chain to the PEM certificates in {@code caFile}. */
    public ClientOptions withCaFile(Path caFile) {
        return new ClientOptions(
                urls,
                token,
                connectTimeout,
                requestTimeout,
                maxConnections,
                maxStreams,
                Optional.of(caFile),
                probeInterval,
                streamIdleTimeout);
    }

    /** The same options with bearer token {@code token} (null or blank for none). */
    public ClientOptions withToken(String token) {
        return new ClientOptions(
                urls,
                token,
                connectTimeout,
                requestTimeout,
                maxConnections,
                maxStreams,
                caFile,
                probeInterval,
                streamIdleTimeout);
    }

    public ClientOptions withRequestTimeout(Duration timeout) {
        return new ClientOptions(
                urls,
                token,
                connectTimeout,
                timeout,
                maxConnections,
                maxStreams,
                caFile,
                probeInterval,
                streamIdleTimeout);
    }

    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(
                urls,
                token,
                timeout,
                requestTimeout,
                maxConnections,
                maxStreams,
                caFile,
                probeInterval,
                streamIdleTimeout);
    }

    public ClientOptions withMaxConnections(int connections) {
        return new ClientOptions(
                urls,
                token,
                connectTimeout,
                requestTimeout,
                connections,
                maxStreams,
                caFile,
                probeInterval,
                streamIdleTimeout);
    }

    public ClientOptions withMaxStreams(int streams) {
        return new ClientOptions(
                urls,
                token,
                connectTimeout,
                requestTimeout,
                maxConnections,
                streams,
                caFile,
                probeInterval,
                streamIdleTimeout);
    }

    public ClientOptions withProbeInterval(Duration interval) {
        return new ClientOptions(
                urls,
                token,
                connectTimeout,
                requestTimeout,
                maxConnections,
                maxStreams,
                caFile,
                interval,
                streamIdleTimeout);
    }

    /**
     * How long a lease channel, or an event stream whose coordinator names no keep-alive period, may hear nothing, not
     * even a keep-alive, before it is taken for broken (a peer gone without closing, a network partition): the stream
     * then fails ({@link KbsyncException.Unreachable}), the channel closes. 60 s by default; keep it above the
     * coordinators' {@code http.sseKeepAliveSeconds} (15 s by default). A stream whose coordinator names its period
     * ({@code X-Kbsync-Keep-Alive-Seconds}, as kbsync's do) is taken for broken after 2.5 periods of silence instead,
     * whatever this says. It also bounds the wait for a stream's answer to start.
     */
    public ClientOptions withStreamIdleTimeout(Duration timeout) {
        return new ClientOptions(
                urls,
                token,
                connectTimeout,
                requestTimeout,
                maxConnections,
                maxStreams,
                caFile,
                probeInterval,
                timeout);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
