package dev.kbsync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

class CoordinatorIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private static CoordinatorConfig config() {
        return CoordinatorConfig.load(
                Optional.empty(),
                Map.of("KBSYNC_HTTP_PORT", "0", "KBSYNC_REDIS_ADDRESS", redis.uri(), "KBSYNC_AUTH_ENABLED", "false"));
    }

    @Test
    void shouldListenOnARealPortAndStopCleanly() throws IOException {
        AtomicReference<RedissonClient> client = new AtomicReference<>();
        AtomicReference<Boolean> stopped = new AtomicReference<>(false);
        ServicesFactory factory = (v, redisson, config, metrics) -> {
            client.set(redisson);
            return ServicesFactory.redisEngine()
                    .start(v, redisson, config, metrics)
                    .map(running -> new ServicesFactory.Running(
                            running.services(), () -> running.stop().get().onComplete(done -> stopped.set(true))));
        };

        Coordinator coordinator;
        try (LogCapture logs = new LogCapture()) {
            coordinator = Coordinator.start(vertx, config(), factory).await();
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN authentication is OFF"));
        }

        assertThat(coordinator.port()).isPositive();
        new Socket("127.0.0.1", coordinator.port()).close();
        coordinator.stop().await();
        assertThat(stopped.get()).isTrue();
        assertThat(client.get().isShutdown()).isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", coordinator.port()).close())
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void shouldShutTheRedisClientDownWhenTheServicesFailToStart() {
        AtomicReference<RedissonClient> client = new AtomicReference<>();
        ServicesFactory factory = (v, redisson, config, metrics) -> {
            client.set(redisson);
            return Future.failedFuture(new IllegalStateException("engine down"));
        };

        assertThatThrownBy(() -> Coordinator.start(vertx, config(), factory).await())
                .hasMessage("engine down");
        org.awaitility.Awaitility.await().until(() -> client.get().isShutdown());
    }

    @Test
    void shouldFailToStartWhenRedisIsUnreachable() {
        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_HTTP_PORT", "0",
                        "KBSYNC_REDIS_ADDRESS", "redis://127.0.0.1:" + RedisProcess.freePort(),
                        "KBSYNC_AUTH_ENABLED", "false"));
        ServicesFactory factory = (v, redisson, c, metrics) -> Future.failedFuture(new AssertionError("not reached"));

        assertThatThrownBy(() -> Coordinator.start(vertx, config, factory).await())
                .hasMessageContaining("Unable to connect");
    }

    @Test
    void shouldRunTheJobCycleOverHttpOnTheRedisEngine() throws Exception {
        Coordinator coordinator = Coordinator.start(vertx, config()).await();
        try (KbsyncClient http = KbsyncClient.create(
                vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + coordinator.port()), null))) {
            http.registerKb(new KbConfig(KbId.of("team"), "/srv/git/team.git", "main"));
            Job first = http.submitNote(KbId.of("team"), NoteRequest.of("alice", "one"));
            Job second = http.submitNote(KbId.of("team"), NoteRequest.of("bob", "two"));
            assertThat(second.ahead()).isEqualTo(1);

            Assignment a1 = http.poll("w1", Duration.ofSeconds(5)).orElseThrow();
            assertThat(a1.job().id()).isEqualTo(first.id());
            assertThat(a1.kb().remote()).isEqualTo("/srv/git/team.git");
            assertThat(http.poll("w2", Duration.ofMillis(300)))
                    .as("the KB is busy: nothing to hand out")
                    .isEmpty();

            Job done = http.reportResult(
                    first.id(),
                    new JobOutcome.Done(a1.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
            assertThat(done.state()).isEqualTo(JobState.DONE);

            Assignment a2 = http.poll("w2", Duration.ofSeconds(5)).orElseThrow();
            assertThat(a2.job().id()).isEqualTo(second.id());
            assertThat(a2.lease().fencingToken()).isGreaterThan(a1.lease().fencingToken());
        }
        coordinator.stop().await();
    }
}
