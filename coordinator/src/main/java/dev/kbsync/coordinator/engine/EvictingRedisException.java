package dev.kbsync.coordinator.engine;

/**
 * The coordinator refused to start: a Redis master's {@code maxmemory-policy} is not {@code noeviction}, so Redis may
 * evict a KB's {@code :lease} and {@code :fence} keys, and {@code redis.allowEviction} is not set. A setting to change
 * (of Redis, or the coordinator's), not a fault that a restart mends; its message says which.
 */
public final class EvictingRedisException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    EvictingRedisException(String message) {
        super(message);
    }
}
