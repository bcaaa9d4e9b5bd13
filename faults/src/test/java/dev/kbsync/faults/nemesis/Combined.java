package dev.kbsync.faults.nemesis;

import dev.kbsync.testing.RedisServer;

/**
 * A randomized schedule of the other nemeses' faults, one after another: worker kill -9, coordinator kill -9, worker
 * SIGSTOP past its lease, Redis paused, Redis restarted; the seed decides which and when.
 */
public final class Combined implements Nemesis {
    private final RedisServer redis;
    private final int rounds;

    public Combined(RedisServer redis, int rounds) {
        this.redis = redis;
        this.rounds = rounds;
    }

    @Override
    public String name() {
        return "randomized mix of the above (" + rounds + " faults)";
    }

    @Override
    public void run(Stage stage) {
        for (int i = 0; i < rounds && !stage.stopping(); i++) {
            switch (stage.random().nextInt(5)) {
                case 0 -> WorkerKill.once(stage);
                case 1 -> CoordinatorKill.once(stage);
                case 2 -> WorkerFreeze.once(stage);
                case 3 -> {
                    redis.pause();
                    stage.fault("pause redis");
                    dev.kbsync.faults.client.Pause.millis(stage.between(2000, 4000));
                    redis.resume();
                    stage.healed("redis resumed");
                }
                default -> {
                    redis.kill();
                    stage.fault("kill -9 redis");
                    dev.kbsync.faults.client.Pause.millis(1000);
                    redis.restart();
                    stage.healed("redis restarted");
                }
            }
            stage.sleep(stage.between(300, 1200));
        }
    }

    @Override
    public void heal(Stage stage) {
        new WorkerKill().heal(stage);
        new CoordinatorKill().heal(stage);
        new WorkerFreeze().heal(stage);
        if (!redis.isAlive()) {
            redis.restart();
        }
    }
}
