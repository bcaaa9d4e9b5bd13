package dev.kbsync.git;

import dev.kbsync.config.Check;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The hosts the worker's generic token ({@code KBSYNC_GIT_TOKEN}) may be shown to: exact host names, with a port
 * ({@code git.example.com:8443}) or without (the https port, 443, as git matches {@code http.<url>.*} settings), and
 * {@code *.example.com} for the subdomains of example.com only (not example.com itself). Case does not matter.
 */
public final class TokenHosts {
    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
    private static final Pattern ENTRY =
            Pattern.compile("(\\*\\.)?(" + LABEL + "(?:\\." + LABEL + ")*)(?::([0-9]{1,5}))?");
    private static final int HTTPS_PORT = 443;

    private final List<Entry> entries;

    private TokenHosts(List<Entry> entries) {
        this.entries = entries;
    }

    /** The hosts {@code items} name; an item that is not a host, {@code host:port} or {@code *.domain} is refused. */
    public static TokenHosts parse(List<String> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("must name at least one host");
        }
        return new TokenHosts(items.stream().map(TokenHosts::entry).toList());
    }

    /** Whether the token may go to {@code remote}'s host and port; only ever an {@code https://} remote. */
    boolean allows(RemoteUrl remote) {
        int port = remote.uri().getPort() < 0 ? HTTPS_PORT : remote.uri().getPort();
        return remote.isHttps() && entries.stream().anyMatch(e -> e.matches(remote.host(), port));
    }

    /**
     * Whether {@code host} on {@code port} is listed (an entry without a port means 443); for endpoints the caller
     * already checked the scheme of (the GitHub API base of an app reference).
     */
    public boolean allowsHost(String host, int port) {
        String name = host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
        return entries.stream().anyMatch(e -> e.matches(name, port));
    }

    @Override
    public String toString() {
        return entries.stream().map(Entry::toString).collect(Collectors.joining(", "));
    }

    private static Entry entry(String item) {
        Matcher m = ENTRY.matcher(item.toLowerCase(Locale.ROOT));
        int port = m.matches() && m.group(3) != null ? Integer.parseInt(m.group(3)) : HTTPS_PORT;
        boolean wildcard = m.matches() && m.group(1) != null;
        if (!m.matches() || port < 1 || port > 65535 || wildcard && !m.group(2).contains(".")) {
            throw new IllegalArgumentException(Check.safe(item) + " is not a host name, host:port or *.domain"
                    + " (e.g. git.example.com, git.example.com:8443, *.example.com)");
        }
        return new Entry(wildcard, m.group(2), port, m.group(3) != null);
    }

    private record Entry(boolean subdomains, String host, int port, boolean portNamed) {
        boolean matches(String name, int remotePort) {
            boolean hostMatches = subdomains ? name.endsWith("." + host) : name.equals(host);
            return hostMatches && remotePort == port;
        }

        @Override
        public String toString() {
            return (subdomains ? "*." : "") + host + (portNamed ? ":" + port : "");
        }
    }
}
