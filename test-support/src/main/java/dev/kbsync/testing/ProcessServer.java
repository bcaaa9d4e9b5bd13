package dev.kbsync.testing;

import dev.kbsync.redis.RedisProcess;

/** A {@link RedisServer} run as a local {@code redis-server} process. */
record ProcessServer(RedisProcess process) implements RedisServer {
    @Override
    public int port() {
        return process.port();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void kill() {
        process.kill();
    }

    @Override
    public void pause() {
        process.pause();
    }

    @Override
    public void resume() {
        process.resume();
    }

    @Override
    public void restart() {
        process.restart();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "local process redis-server on 127.0.0.1:" + port() + " (pid " + process.pid() + ")";
    }
}
