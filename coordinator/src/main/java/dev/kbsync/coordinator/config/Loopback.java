package dev.kbsync.coordinator.config;

import java.util.regex.Pattern;

/** Whether a bind address is loopback, decided from its text only (no DNS lookup). */
final class Loopback {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

    private Loopback() {}

    static boolean is(String host) {
        return host.equals("localhost")
                || host.equals("::1")
                || host.equals("[::1]")
                || IPV4_LOOPBACK.matcher(host).matches();
    }
}
