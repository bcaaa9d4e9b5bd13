package dev.kbsync.coordinator.config;

import java.util.regex.Pattern;

/**
 * Whether a host is loopback, decided from its text only (no DNS lookup): {@code localhost}, {@code 127.0.0.0/8},
 * {@code ::1} (bracketed or not). The bind address auth-off needs, and the Host an auth-off coordinator answers.
 */
public final class Loopback {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

    private Loopback() {}

    /** Whether {@code host} (any case) names loopback. */
    public static boolean is(String host) {
        return host.equalsIgnoreCase("localhost")
                || host.equals("::1")
                || host.equals("[::1]")
                || IPV4_LOOPBACK.matcher(host).matches();
    }
}
