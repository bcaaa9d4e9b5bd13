package dev.kbsync.testing;

import dev.kbsync.redis.RespClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What a Redis holds, read over raw RESP for assertions about leftovers: every key with its whole content. */
public final class RedisContents {
    private static final Duration CALL = Duration.ofSeconds(5);

    private RedisContents() {}

    /** Every key, each followed by its content as text (strings, hash fields and values, members, elements). */
    public static List<String> dump(int port) {
        List<String> out = new ArrayList<>();
        try (RespClient redis = RespClient.connect(port, CALL)) {
            for (Object key : (List<?>) redis.call("KEYS", "*")) {
                String name = String.valueOf(key);
                out.add(name + " => " + content(redis, name));
            }
        }
        return out;
    }

    /** The keys (and contents) that mention {@code text} anywhere. */
    public static List<String> mentioning(int port, String text) {
        return dump(port).stream().filter(entry -> entry.contains(text)).toList();
    }

    /** The number of entries of a list, set, sorted set or hash (0 if missing). */
    public static long size(int port, String key) {
        try (RespClient redis = RespClient.connect(port, CALL)) {
            String type = String.valueOf(redis.call("TYPE", key));
            return switch (type) {
                case "list" -> (Long) redis.call("LLEN", key);
                case "zset" -> (Long) redis.call("ZCARD", key);
                case "set" -> (Long) redis.call("SCARD", key);
                case "hash" -> (Long) redis.call("HLEN", key);
                case "none" -> 0L;
                default -> 1L;
            };
        }
    }

    private static String content(RespClient redis, String key) {
        String type = String.valueOf(redis.call("TYPE", key));
        Object value = switch (type) {
            case "string" -> redis.call("GET", key);
            case "hash" -> redis.call("HGETALL", key);
            case "zset" -> redis.call("ZRANGE", key, "0", "-1", "WITHSCORES");
            case "list" -> redis.call("LRANGE", key, "0", "-1");
            case "set" -> redis.call("SMEMBERS", key);
            default -> type;
        };
        return String.valueOf(value);
    }
}
