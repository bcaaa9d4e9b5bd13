package dev.kbsync.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhooksTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration LEASE = Duration.ofSeconds(30);

    @Test
    void shouldMatchExactHostsAndWildcardsButNoIpLiteralByWildcard() {
        Webhooks w =
                new Webhooks(List.of(" Bot.Example.com", "*.hooks.test", "10.1.2.3"), "0123456789abcdef", HOUR, LEASE);

        assertThat(w.allows("bot.example.com", false)).isTrue();
        assertThat(w.allows("a.hooks.test", false)).isTrue();
        assertThat(w.allows("a.b.hooks.test", false)).isTrue();
        assertThat(w.allows("hooks.test", false)).isFalse();
        assertThat(w.allows("evilhooks.test", false)).isFalse();
        assertThat(w.allows("other.example.com", false)).isFalse();
        assertThat(w.allows("10.1.2.3", true)).isTrue();
        assertThat(w.allows("10.1.2.4", true)).isFalse();
        assertThat(w.toString()).doesNotContain("0123456789abcdef");
    }

    /**
     * A listed name, exact or under a wildcard, may resolve to any address: an internal one (loopback, private,
     * link-local, unique-local, multicast, unspecified, or an IPv6 form of one) is posted to only when it is listed as an
     * IP literal itself; a public one whenever the name is on the list.
     */
    @Test
    void shouldAllowAnInternalAddressOnlyWhenItIsListedAsAnIpLiteral() throws Exception {
        Webhooks names = new Webhooks(List.of("localhost", "*.hooks.test"), "0123456789abcdef", HOUR, LEASE);
        Webhooks literals = new Webhooks(
                List.of("localhost", "*.hooks.test", "127.0.0.1", "10.1.2.3", "fd00:0::1"),
                "0123456789abcdef",
                HOUR,
                LEASE);
        List<String> internal = List.of(
                "127.0.0.1",
                "127.1.2.3",
                "10.1.2.3",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
                "0.1.2.3",
                "224.0.0.1",
                "240.0.0.1",
                "255.255.255.255",
                "::1",
                "::",
                "fe80::1",
                "fc00::1",
                "fd00::1",
                "ff02::1",
                "::ffff:127.0.0.1",
                "::127.0.0.1",
                "64:ff9b::a9fe:a9fe");
        for (String address : internal) {
            assertThat(names.allowsAddress(java.net.InetAddress.getByName(address)))
                    .as(address)
                    .isFalse();
        }
        for (String address : List.of("127.0.0.1", "10.1.2.3", "fd00::1", "::ffff:127.0.0.1")) {
            assertThat(literals.allowsAddress(java.net.InetAddress.getByName(address)))
                    .as(address)
                    .isTrue();
        }
        assertThat(literals.allowsAddress(java.net.InetAddress.getByName("127.0.0.2")))
                .isFalse();
        for (String address : List.of("93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1946")) {
            assertThat(names.allowsAddress(java.net.InetAddress.getByName(address)))
                    .as(address)
                    .isTrue();
        }
    }

    @Test
    void shouldRequireASecretWhenOnAndCheckTheEntries() {
        assertThatThrownBy(() -> new Webhooks(List.of("bot.example.com"), "short", HOUR, LEASE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhooks.secret");
        assertThatThrownBy(() -> new Webhooks(List.of("http://bot.example.com/"), "0123456789abcdef", HOUR, LEASE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhooks.allowedHosts");
        assertThat(Webhooks.off().enabled()).isFalse();
    }

    /**
     * A POST ends well within the claim's lease (counted from the claim, before the POST starts, and the report after it
     * must land within it too): else another coordinator claims the delivery and POSTs it again meanwhile.
     */
    @Test
    void shouldEndAPostWithinHalfTheLeaseAndAtMostTenSeconds() {
        assertThat(new Webhooks(List.of(), "", HOUR, LEASE).timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(new Webhooks(List.of(), "", HOUR, Duration.ofSeconds(10)).timeout())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(new Webhooks(List.of(), "", HOUR, Duration.ofSeconds(2)).timeout())
                .isEqualTo(Duration.ofSeconds(1));
    }

    /** A wildcard of a top-level domain alone ({@code *.com}) would let a callback name any host on it. */
    @Test
    void shouldRefuseAWildcardOverATopLevelDomain() {
        assertThatThrownBy(() -> new Webhooks(List.of("*.com"), "0123456789abcdef", HOUR, LEASE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhooks.allowedHosts")
                .hasMessageContaining("*.com");
        assertThat(new Webhooks(List.of("*.example.com"), "0123456789abcdef", HOUR, LEASE)
                        .allows("a.example.com", false))
                .isTrue();
    }

    @Test
    void shouldLoadFromTheEnvironment() {
        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_AUTH_ENABLED", "false",
                        "KBSYNC_WEBHOOKS_ALLOWED_HOSTS", "a.example.com, *.b.example.com",
                        "KBSYNC_WEBHOOKS_SECRET", "0123456789abcdef",
                        "KBSYNC_WEBHOOKS_RETRY_SECONDS", "600"));

        assertThat(config.webhooks().allowedHosts()).containsExactly("a.example.com", "*.b.example.com");
        assertThat(config.webhooks().retry()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.webhooks().lease()).isEqualTo(LEASE);
        assertThat(config.engine().webhooks()).isEqualTo(config.webhooks());
        assertThat(CoordinatorConfig.load(Optional.empty(), Map.of("KBSYNC_AUTH_ENABLED", "false"))
                        .webhooks()
                        .enabled())
                .isFalse();
    }
}
