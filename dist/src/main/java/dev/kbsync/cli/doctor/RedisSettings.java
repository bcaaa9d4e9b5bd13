package dev.kbsync.cli.doctor;

import java.util.Map;

/**
 * One Redis master's settings ({@code INFO} and {@code appendfsync}) judged against what kbsync needs (see
 * operations.md, "Redis durability"): every key kept (no eviction), and acknowledged jobs surviving a crash (AOF,
 * replicas, preferably both).
 */
record RedisSettings(String address, Map<String, String> info, String appendfsync) {
    /** The oldest version kbsync is tested on (the embedded binary). */
    static final String TESTED_FROM = "6.2";

    Check version() {
        String version = info.getOrDefault("redis_version", "unknown");
        String[] parts = version.split("\\.");
        boolean old = parts.length < 2
                || !parts[0].matches("\\d+")
                || !parts[1].matches("\\d+")
                || Integer.parseInt(parts[0]) < 6
                || Integer.parseInt(parts[0]) == 6 && Integer.parseInt(parts[1]) < 2;
        return old
                ? Check.warn("redis version", version + ": kbsync is tested on " + TESTED_FROM + " and later")
                : Check.pass("redis version", version);
    }

    Check evictionPolicy() {
        String policy = info.getOrDefault("maxmemory_policy", "unknown");
        if (policy.equals("noeviction")) {
            return Check.pass("redis maxmemory-policy", "noeviction");
        }
        return Check.fail(
                "redis maxmemory-policy",
                policy + ": Redis may evict queues, grants and accepted jobs when memory is full"
                        + " (maxmemory " + info.getOrDefault("maxmemory_human", "?")
                        + "); set maxmemory-policy noeviction");
    }

    Check persistence() {
        boolean aof = "1".equals(info.get("aof_enabled"));
        boolean replicated = replicaCount() > 0;
        if (aof && (appendfsync.equals("always") || appendfsync.equals("everysec"))) {
            return Check.pass(
                    "redis persistence",
                    "AOF, appendfsync " + appendfsync
                            + (appendfsync.equals("always")
                                    ? " (no acknowledged write lost)"
                                    : " (a crash loses ~1 s)"));
        }
        if (aof) {
            return Check.warn(
                    "redis persistence",
                    "AOF with appendfsync " + appendfsync + ": a crash may lose more than a second of accepted jobs;"
                            + " set appendfsync everysec or always");
        }
        String advice = "; set appendonly yes with appendfsync everysec or always";
        return replicated
                ? Check.warn("redis persistence", "no AOF: only the replicas keep accepted jobs" + advice)
                : Check.fail(
                        "redis persistence",
                        "no AOF and no replica: a Redis restart loses every accepted job, grant and fencing counter"
                                + advice);
    }

    Check replicas() {
        String role = info.getOrDefault("role", "unknown");
        if (!role.equals("master")) {
            return Check.fail("redis replication", "connected to a " + role + ", not a master: writes will fail");
        }
        int replicas = replicaCount();
        return replicas > 0
                ? Check.pass("redis replication", "master with " + replicas + " connected replica(s)")
                : Check.warn("redis replication", "no replica: a lost machine loses the data not on its disk");
    }

    private int replicaCount() {
        try {
            return Integer.parseInt(info.getOrDefault("connected_slaves", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
