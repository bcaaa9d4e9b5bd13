package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.redis.Fsync;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --url} with two coordinators on one Redis (a stack's and a second one), the second listed first: while it
 * runs the commands go to it; once it is stopped they go to the stack's, and a note still lands and is followed to its
 * commit.
 */
class CliFailoverIT {
    @TempDir
    Path data;

    @Test
    void shouldMoveToTheNextCoordinatorWhenTheFirstIsStopped() throws Exception {
        try (EmbeddedStack stack =
                EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.EVERYSEC, 0, 1))) {
            Vertx vertx = Vertx.vertx();
            Coordinator second = Coordinator.start(
                            vertx,
                            CoordinatorConfig.load(
                                    Optional.empty(),
                                    Map.of(
                                            "KBSYNC_HTTP_HOST", "127.0.0.1",
                                            "KBSYNC_HTTP_PORT", "0",
                                            "KBSYNC_REDIS_ADDRESS", stack.redisUri(),
                                            "KBSYNC_AUTH_ENABLED", "false",
                                            "KBSYNC_COORDINATOR_ID", "second",
                                            "KBSYNC_KBS", "demo=" + stack.demoRemote() + "#main")))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            String urls = "http://127.0.0.1:" + second.port() + " , " + stack.baseUrl();
            try {
                assertThat(run("note", "--url", urls, "--kb", "demo", "--user", "alice", "while both run"))
                        .contains("done: commit ");
            } finally {
                second.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
                vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }

            assertThat(run("note", "--url", urls, "--kb", "demo", "--user", "alice", "with the first one stopped"))
                    .contains("done: commit ");
            assertThat(run("jobs", "--url", urls, "--user", "alice").lines().filter(l -> l.contains("done")))
                    .hasSize(2);
            assertThat(KbsyncCli.run("jobs", "--url", " , ", "--user", "alice"))
                    .as("no URL at all is a usage error")
                    .isEqualTo(ExitCodes.USAGE);
        }
    }

    private static String run(String... args) {
        return CliRun.succeeding(args);
    }
}
