package dev.kbsync.faults.nemesis;

import dev.kbsync.testing.RedisServer;

/**
 * Redis unreachable: frozen ({@code docker pause} or SIGSTOP) for 3-5 s, connections open and unanswered. Clients get
 * 503 with Retry-After meanwhile, or a 202 that must land.
 */
public final class RedisPause implements Nemesis {
    private final RedisServer redis;
    private volatile boolean paused;

    public RedisPause(RedisServer redis) {
        this.redis = redis;
    }

    @Override
    public String name() {
        return "Redis unreachable (paused) for 3-5 s";
    }

    @Override
    public void run(Stage stage) {
        stage.sleep(stage.between(1000, 2000));
        while (!stage.stopping()) {
            redis.pause();
            paused = true;
            stage.fault("pause redis");
            dev.kbsync.faults.client.Pause.millis(stage.between(3000, 5000));
            redis.resume();
            paused = false;
            stage.healed("redis resumed");
            stage.sleep(stage.between(2000, 3000));
        }
    }

    @Override
    public void heal(Stage stage) {
        if (paused) {
            redis.resume();
            paused = false;
        }
    }
}
