package dev.kbsync.coordinator.config;

import dev.kbsync.config.ConfigException;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Webhook settings: the hosts a job's {@code callbackUrl} may name ({@code allowedHosts}: exact host names or IP
 * literals, or {@code *.example.com} for any name under example.com; empty: webhooks off), the HMAC-SHA256 key
 * deliveries are signed with ({@code secret}, required when webhooks are on) and how long after a job's terminal state
 * a failing delivery is retried ({@code retry}), how long a claimed delivery stays with the coordinator that claimed
 * it before any coordinator may deliver it again ({@code lease}; a request's timeout is at most 10 s and half the
 * lease). A wildcard needs two labels or more after {@code *.}. A wildcard never matches an IP literal. A host is
 * checked as text at submit and before each attempt; a delivery then goes to an address the host resolves to, and an
 * internal one ({@link InternalAddresses}: loopback, private, link-local, unique-local...) only when it is listed as an
 * IP literal itself, whatever entry let the host in ({@link #allowsAddress}).
 */
public record Webhooks(List<String> allowedHosts, String secret, Duration retry, Duration lease) {
    private static final Pattern ENTRY = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9.:-]{0,252}[a-z0-9])?");
    /** A host a wildcard never matches: digits and dots (an IPv4 literal, in any of its forms) or hex. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9.]+|0x.*");

    private static final int MIN_SECRET = 16;

    public Webhooks {
        allowedHosts = allowedHosts.stream()
                .map(h -> h.strip().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty())
                .toList();
        for (String h : allowedHosts) {
            if (!ENTRY.matcher(h).matches()) {
                throw ConfigException.of(
                        ConfigKey.WEBHOOKS_ALLOWED_HOSTS, "must list host names or *.domain patterns, got " + h);
            }
            if (h.startsWith("*.") && h.indexOf('.', 2) < 0) {
                throw ConfigException.of(
                        ConfigKey.WEBHOOKS_ALLOWED_HOSTS,
                        "a wildcard needs a domain of two labels or more (*.example.com), got " + h
                                + ": it would allow any host of a top-level domain");
            }
        }
        secret = secret == null ? "" : secret;
        if (!allowedHosts.isEmpty() && secret.length() < MIN_SECRET) {
            throw ConfigException.of(
                    ConfigKey.WEBHOOKS_SECRET,
                    "must be at least " + MIN_SECRET + " characters when webhooks.allowedHosts is set");
        }
        if (retry.toSeconds() < 1 || retry.toSeconds() > 604_800) {
            throw ConfigException.of(ConfigKey.WEBHOOKS_RETRY_SECONDS, "must be 1-604800, got " + retry.toSeconds());
        }
        if (lease.toSeconds() < 1 || lease.toSeconds() > 3600) {
            throw ConfigException.of(ConfigKey.WEBHOOKS_LEASE_SECONDS, "must be 1-3600, got " + lease.toSeconds());
        }
    }

    /** Webhooks off: every callbackUrl is refused. */
    public static Webhooks off() {
        return new Webhooks(List.of(), "", Duration.ofHours(1), Duration.ofSeconds(30));
    }

    /**
     * How long one POST may take: at most 10 s, and half the lease (which runs from the claim, before the POST starts,
     * and must still hold when its report lands).
     */
    public Duration timeout() {
        Duration max = Duration.ofSeconds(10);
        Duration half = lease.dividedBy(2);
        return half.compareTo(max) < 0 ? half : max;
    }

    public boolean enabled() {
        return !allowedHosts.isEmpty();
    }

    /**
     * Whether the host of {@code uri} (an absolute URI with a host) is on the list: an IP literal (in brackets, or
     * numeric) only when listed itself.
     */
    public boolean allowsHostOf(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return allows(
                hostOf(uri), host.startsWith("[") || NUMERIC_HOST.matcher(host).matches());
    }

    /** The host {@code uri} names, lower case, an IPv6 literal without its brackets. */
    public static String hostOf(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** Whether {@code host} (lower case; an IP literal without brackets) is on the list. */
    public boolean allows(String host, boolean ipLiteral) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String entry : allowedHosts) {
            if (entry.equals(h)) {
                return true;
            }
            if (!ipLiteral && entry.startsWith("*.") && h.endsWith(entry.substring(1))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a delivery may connect to {@code address}, one its (allowed) host resolved to: a public address always;
     * an internal one only when it is listed as an IP literal, an exact name or a wildcard resolving to it is not enough.
     */
    public boolean allowsAddress(InetAddress address) {
        return !InternalAddresses.contains(address)
                || allowedHosts.stream()
                        .map(NetUtil::createInetAddressFromIpAddressString) // null for a name
                        .anyMatch(address::equals);
    }

    @Override
    public String toString() {
        return "Webhooks[allowedHosts=" + allowedHosts + ", secret=(" + secret.length() + " chars), retry=" + retry
                + "]";
    }
}
