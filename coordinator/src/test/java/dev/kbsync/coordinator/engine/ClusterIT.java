package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.RateLimitedException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.ratelimit.Limits;
import dev.kbsync.coordinator.ratelimit.Window;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.Submission;
import dev.kbsync.redis.RedisProcess;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** The engine on a 3-master Redis Cluster: every per-KB script and Redisson lock stays in its KB's slot. */
class ClusterIT {
    @TempDir
    static Path dir;

    static final List<RedisProcess> masters = new ArrayList<>();
    static Vertx vertx;
    static RedissonClient client;
    static Engine engine;

    @BeforeAll
    static void start() throws Exception {
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (int i = 0; i < 3; i++) {
            int port = clusterPort();
            Path home = Files.createDirectories(dir.resolve("m" + i));
            masters.add(RedisProcess.start(
                    home, port, List.of("--cluster-enabled", "yes", "--cluster-node-timeout", "2000")));
            create.add("127.0.0.1:" + port);
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        run(create);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> run(List.of(
                                "redis-cli", "-p", String.valueOf(masters.get(0).port()), "cluster", "info"))
                        .contains("cluster_state:ok"));
        EngineConfig config = Coordinators.config("cluster");
        Config redisson = new Config();
        masters.forEach(m -> redisson.useClusterServers().addNodeAddress(m.uri()));
        client = Redisson.create(Engine.tune(redisson, config));
        vertx = Vertx.vertx();
        engine = await(Engine.start(vertx, client, config, MetricsSink.NONE));
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            await(engine.stop());
            client.shutdown();
            await(vertx.close());
        }
        masters.forEach(RedisProcess::close);
    }

    /**
     * On a Cluster the user's window sits in another slot than the KB's: the submit counts in its windows before its
     * step, and a step that refuses it (an unknown KB) takes the count back.
     */
    @Test
    void shouldCountASubmitInItsWindowsBeforeTheStepAndTakeItBackWhenTheStepRefuses() {
        KbId kb = KbId.of("limited");
        await(engine.services().kbs().register(new KbConfig(kb, "file:///tmp/limited", "main")));
        JobService jobs = engine.services().jobs();
        Limits limits = new Limits(List.of(Window.user("lim", 2), Window.kb(kb.value(), 10)), Duration.ofSeconds(60));

        assertThat(await(jobs.submit(submission(kb, "one", limits))).remaining())
                .isEqualTo(1);
        assertThatThrownBy(() -> await(jobs.submit(submission(
                        KbId.of("nowhere"),
                        "lost",
                        new Limits(List.of(Window.user("lim", 2)), Duration.ofSeconds(60))))))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).isEqualTo("KB_NOT_FOUND"));
        assertThat(await(jobs.submit(submission(kb, "two", limits))).remaining())
                .isZero();
        assertThatThrownBy(() -> await(jobs.submit(submission(kb, "three", limits))))
                .isInstanceOfSatisfying(
                        RateLimitedException.class, e -> assertThat(e.code()).isEqualTo("RATE_LIMITED"));

        assertThat(client.getScoredSortedSet("kbsync:rl:{lim}").size()).isEqualTo(2);
        assertThat(client.getScoredSortedSet(new KbKeys(kb).prefix() + "rl").size())
                .as("the refused submit left nothing in the KB's window")
                .isEqualTo(2);
    }

    /**
     * A request refused for its idempotency key (used for another request: 409 IDEMPOTENCY_MISMATCH) takes no rate slot
     * on a Cluster either, where the windows outside the KB's slot are counted before the step: the refusal takes the
     * count back, as a single master's step refuses before it counts.
     */
    @Test
    void shouldTakeBackTheCountOfARequestRefusedForItsIdempotencyKey() {
        KbId kb = KbId.of("keyed");
        await(engine.services().kbs().register(new KbConfig(kb, "file:///tmp/keyed", "main")));
        JobService jobs = engine.services().jobs();
        Limits limits = new Limits(List.of(Window.user("keyed", 5)), Duration.ofSeconds(60));

        assertThat(await(jobs.submit(keyed(kb, "the note", limits))).remaining())
                .isEqualTo(4);
        for (int i = 0; i < 3; i++) {
            String other = "another note " + i;
            assertThatThrownBy(() -> await(jobs.submit(keyed(kb, other, limits))))
                    .isInstanceOfSatisfying(
                            ConflictException.class, e -> assertThat(e.code()).isEqualTo("IDEMPOTENCY_MISMATCH"));
        }
        assertThatThrownBy(() -> await(jobs.submit(keyed(kb, "the note", "http://127.0.0.1:9/other", limits))))
                .as("the same note with another callback URL is another request")
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("IDEMPOTENCY_MISMATCH"));

        assertThat(client.getScoredSortedSet("kbsync:rl:{keyed}").size())
                .as("only the stored request counted")
                .isEqualTo(1);
    }

    private static Submission keyed(KbId kb, String text, Limits limits) {
        return keyed(kb, text, "", limits);
    }

    private static Submission keyed(KbId kb, String text, String callbackUrl, Limits limits) {
        return new Submission(
                kb,
                "keyed",
                new JobPayload.Note(text, null, null),
                Optional.of("key-1"),
                "",
                callbackUrl,
                limits,
                false,
                Optional.empty());
    }

    private static Submission submission(KbId kb, String text, Limits limits) {
        return new Submission(
                kb,
                "lim",
                new JobPayload.Note(text, null, null),
                Optional.empty(),
                "",
                "",
                limits,
                false,
                Optional.empty());
    }

    @Test
    void shouldQueueGrantAndDispatchOnKbsSpreadOverTheCluster() throws Exception {
        List<String> names = List.of("north", "south", "east", "west");
        assertThat(names.stream().map(ClusterIT::master).distinct().count())
                .as("the KBs live on more than one master")
                .isGreaterThan(1);
        for (String name : names) {
            KbId kb = KbId.of(name);
            await(engine.services().kbs().register(new KbConfig(kb, "file:///tmp/" + name, "main")));
            var leases = engine.services().leases();
            Lease first = await(LeaseClient.granted(
                    vertx, engine.services(), await(leases.request(kb, "a", Duration.ofSeconds(10)))));
            Lease second = await(leases.request(kb, "b", Duration.ofSeconds(10)));
            assertThat(second.ahead()).isEqualTo(1);
            await(leases.release(first.id()));
            Lease granted = await(LeaseClient.granted(vertx, engine.services(), second));
            assertThat(granted.fencingToken()).isGreaterThan(first.fencingToken());
            await(leases.release(second.id()));
            assertThat(await(leases.get(second.id())).state()).isEqualTo(LeaseState.RELEASED);

            var jobs = engine.services().jobs();
            Job job = await(jobs.submit(kb, "ann", new JobPayload.Note("n", null, null), Optional.of("k-" + name)));
            Assignment run = await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
            assertThat(run.job().id()).isEqualTo(job.id());
            Job done = await(
                    jobs.complete(job.id(), new JobOutcome.Done(run.lease().id(), "c", List.of(), 0)));
            assertThat(done.state()).isEqualTo(JobState.DONE);
            assertThat(await(engine.services().queues().snapshot(kb)).waiters()).isEmpty();
        }
    }

    /** Which third of the slot range (one per master after {@code --cluster create}) holds the KB's keys. */
    private static int master(String kb) {
        try {
            String slot = run(List.of(
                    "redis-cli",
                    "-p",
                    String.valueOf(masters.get(0).port()),
                    "cluster",
                    "keyslot",
                    new KbKeys(KbId.of(kb)).queue()));
            return Integer.parseInt(slot.trim()) * 3 / 16384;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int clusterPort() {
        int port;
        do {
            port = RedisProcess.freePort();
        } while (port + 10000 > 65535);
        return port;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
