package dev.kbsync.testing;

/**
 * One {@code redis-server} (plain, replica, cluster node or Sentinel) that a fixture runs on 127.0.0.1, either as a
 * local process or in a Docker container on the host network; which one is {@link RedisRuntime}'s choice. Fault
 * tests kill, pause and restart it; its data directory outlives a {@link #restart()}, so with {@code appendonly yes}
 * the data does too. {@link #close()} removes it and is safe twice.
 */
public sealed interface RedisServer extends AutoCloseable permits ProcessServer, ContainerServer {
    int port();

    /** {@code redis://127.0.0.1:<port>}. */
    default String uri() {
        return "redis://127.0.0.1:" + port();
    }

    /** True while it runs, paused or not. */
    boolean isAlive();

    /** SIGKILL (a {@code docker kill} for a container): no shutdown, as a crash. */
    void kill();

    /** Freezes it (SIGSTOP or {@code docker pause}): connections stay open, nothing is answered. */
    void pause();

    /** Thaws it after {@link #pause()}; nothing happens to one that is not paused. */
    void resume();

    /** Kills it if alive and starts it again on the same port with the same data directory. */
    void restart();

    @Override
    void close();
}
