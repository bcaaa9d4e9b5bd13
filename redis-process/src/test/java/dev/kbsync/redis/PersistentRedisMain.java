package dev.kbsync.redis;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Test-only JVM: owns the persistent Redis of {@code args[0]}, writes {@code args[1]} = {@code args[2]} into it,
 * prints {@code ready <redis pid>} and waits to be killed.
 */
public final class PersistentRedisMain {
    private PersistentRedisMain() {}

    public static void main(String[] args) throws InterruptedException {
        RedisProcess redis = RedisProcess.startPersistent(Path.of(args[0]), Fsync.ALWAYS);
        RespClient.once(redis.port(), redis.password(), Duration.ofSeconds(2), "SET", args[1], args[2]);
        System.out.println("ready " + redis.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
