package dev.kbsync.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.redis.RespClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * A {@link RedisServer} in a Docker container of {@link RedisImage} on the host network, bound to 127.0.0.1. Its
 * working directory is bind-mounted at the same path, so a Sentinel config path or {@code --dir} means the same inside
 * and out, and a killed container keeps its data for {@link #restart()}. Every container carries the label
 * {@value #LABEL}{@code =true}, by which {@code .ci/run} removes leftovers.
 */
final class ContainerServer implements RedisServer {
    static final String LABEL = "dev.kbsync.test";

    private static final Duration READY = Duration.ofSeconds(10);
    private static final Duration PROBE = Duration.ofMillis(500);

    private final GenericContainer<?> container;
    private final String id;
    private final int port;

    private ContainerServer(GenericContainer<?> container, int port) {
        this.container = container;
        this.id = container.getContainerId();
        this.port = port;
    }

    /** Runs {@code redis-server <leading> --port <port> ... <extra>} as {@link RedisProcess} would. */
    static ContainerServer start(Path dir, int port, List<String> leading, List<String> extra) {
        List<String> args = new ArrayList<>(leading);
        args.addAll(RedisProcess.plainArgs(dir, port));
        args.addAll(extra);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(RedisImage.name()))
                .withNetworkMode("host")
                .withCreateContainerCmdModifier(create ->
                        create.getHostConfig().withBinds(new Bind(dir.toString(), new Volume(dir.toString()))))
                .withLabel(LABEL, "true")
                .withStartupCheckStrategy(new LeftToReadiness())
                .withCommand(args.toArray(String[]::new));
        try {
            container.start();
            ContainerServer server = new ContainerServer(container, port);
            server.awaitReady();
            return server;
        } catch (RuntimeException e) {
            container.stop();
            throw e;
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean isAlive() {
        try {
            return Boolean.TRUE.equals(
                    docker().inspectContainerCmd(id).exec().getState().getRunning());
        } catch (NotFoundException removed) {
            return false;
        }
    }

    @Override
    public void kill() {
        if (isAlive()) {
            docker().killContainerCmd(id).exec();
            docker().waitContainerCmd(id).start().awaitStatusCode(READY.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Override
    public void pause() {
        docker().pauseContainerCmd(id).exec();
    }

    /** Thaws a paused container; does nothing to one that is not paused (so a test's cleanup never hides its failure). */
    @Override
    public void resume() {
        if (Boolean.TRUE.equals(
                docker().inspectContainerCmd(id).exec().getState().getPaused())) {
            docker().unpauseContainerCmd(id).exec();
        }
    }

    @Override
    public void restart() {
        kill();
        docker().startContainerCmd(id).exec();
        awaitReady();
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "container " + container.getDockerImageName() + " on 127.0.0.1:" + port;
    }

    private void awaitReady() {
        boolean running = Poll.until(READY, "redis in container " + id + " on 127.0.0.1:" + port, () -> {
            if (!isAlive()) {
                return Optional.of(false);
            }
            return Optional.of(true).filter(up -> "PONG".equals(RespClient.once(port, PROBE, "PING")));
        });
        if (!running) {
            throw new IllegalStateException(
                    "redis container " + id + " exited at start on port " + port + ":\n" + container.getLogs());
        }
    }

    /**
     * Leaves the start check to {@link #awaitReady()}. Testcontainers' own check would report a Redis that exited at
     * once (a port taken between its choice and the bind) as "Container did not start correctly", without its log,
     * whenever it looks after the exit; the readiness probe reports every exit the same way, with the log that says
     * why. Its checks also share one limiter of one Docker call a second across all containers of a JVM, so each
     * start waited for it: a Sentinel group's six containers took 6 s.
     */
    private static final class LeftToReadiness extends StartupCheckStrategy {
        @Override
        public boolean waitUntilStartupSuccessful(DockerClient docker, String containerId) {
            return true;
        }

        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            return StartupStatus.SUCCESSFUL;
        }
    }

    private DockerClient docker() {
        return container.getDockerClient();
    }
}
