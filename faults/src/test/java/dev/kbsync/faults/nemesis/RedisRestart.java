package dev.kbsync.faults.nemesis;

import dev.kbsync.testing.RedisServer;

/** kill -9 of the Redis server (a container kill, or SIGKILL of the process), started again on its AOF after 1 s. */
public final class RedisRestart implements Nemesis {
    private final RedisServer redis;

    public RedisRestart(RedisServer redis) {
        this.redis = redis;
    }

    @Override
    public String name() {
        return "Redis killed and restarted on its AOF (appendfsync everysec) after 1 s";
    }

    @Override
    public void run(Stage stage) {
        stage.sleep(stage.between(1000, 2000));
        while (!stage.stopping()) {
            redis.kill();
            stage.fault("kill -9 redis");
            stage.sleep(1000);
            redis.restart();
            stage.healed("redis restarted");
            stage.sleep(stage.between(3000, 4000));
        }
    }

    @Override
    public void heal(Stage stage) {
        if (!redis.isAlive()) {
            redis.restart();
        }
    }
}
