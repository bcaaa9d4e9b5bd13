package dev.kbsync.coordinator.ratelimit;

/**
 * A sliding window a submission is counted in: its Redis ZSET key (one hash tag, so Cluster keeps it in one slot), the
 * most submissions it holds, the error code when it is full, and what it limits (for the message).
 */
public record Window(String key, int limit, String code, String what) {
    public Window {
        if (limit < 1) {
            throw new IllegalArgumentException("a window holds at least one submission");
        }
    }

    /**
     * Whether the window is a user's or a token's, in a slot of its own rather than a KB's: on a Redis Cluster it may
     * live on another shard than the KB a submission goes to ({@link UnreachableWindows}).
     */
    public boolean shared() {
        return !key.startsWith("kbsync:{kb:");
    }

    /** The per-user limit ({@code kbsync:rl:{<user>}}; 429 RATE_LIMITED). */
    public static Window user(String user, int limit) {
        return new Window("kbsync:rl:{" + user + "}", limit, "RATE_LIMITED", "user " + user);
    }

    /** The per-KB limit, in the KB's slot ({@code kbsync:{kb:<id>}:rl}; 429 KB_RATE_LIMITED). */
    public static Window kb(String kb, int limit) {
        return new Window("kbsync:{kb:" + kb + "}:rl", limit, "KB_RATE_LIMITED", "KB " + kb);
    }

    /** A token's quota ({@code kbsync:rl:token:{<name>}}; 429 TOKEN_QUOTA_EXCEEDED). */
    public static Window token(String name, int limit) {
        return new Window("kbsync:rl:token:{" + name + "}", limit, "TOKEN_QUOTA_EXCEEDED", "token " + name);
    }
}
