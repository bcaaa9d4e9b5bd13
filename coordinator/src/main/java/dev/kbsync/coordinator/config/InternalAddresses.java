package dev.kbsync.coordinator.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Addresses inside a network rather than on the internet: unspecified and "this network" (0.0.0.0/8, ::), loopback
 * (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16), shared (100.64/10), link-local (169.254/16, fe80::/10,
 * cloud metadata services among them), unique-local (fc00::/7, and the old site-local fec0::/10), multicast, reserved
 * and broadcast (240/4), and the IPv6 forms that carry one of these IPv4 addresses (IPv4-compatible ::a.b.c.d, NAT64
 * 64:ff9b::/96; an IPv4-mapped one is read as its IPv4 address).
 */
final class InternalAddresses {
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private InternalAddresses() {}

    static boolean contains(InetAddress address) {
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        return b.length == 4 ? internalV4(b) : internalV6((Inet6Address) address, b);
    }

    private static boolean internalV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0 || first >= 240 || (first == 100 && (second & 0xc0) == 64);
    }

    private static boolean internalV6(Inet6Address address, byte[] b) {
        if ((b[0] & 0xfe) == 0xfc) {
            return true;
        }
        boolean embedsV4 = address.isIPv4CompatibleAddress() || Arrays.equals(b, 0, 12, NAT64, 0, 12);
        return embedsV4 && contains(v4(Arrays.copyOfRange(b, 12, 16)));
    }

    private static InetAddress v4(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }
}
