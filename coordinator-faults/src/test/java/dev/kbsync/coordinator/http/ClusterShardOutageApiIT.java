package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.ServicesFactory;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisClusterFixture;
import dev.kbsync.testing.RedisServer;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real coordinator over HTTP on a 3-master Redis Cluster (one replica per master, a spare on the master killed), and
 * the master that owns the readiness probe's key {@code kbsync:readyz} SIGKILLed: a KB on a healthy shard keeps
 * answering its submissions and reads 2xx and {@code /readyz} stays 200 throughout (the failure of one shard is no
 * reason to take the whole API down, nor for load balancers to drain every coordinator at once); a KB on the failed
 * shard may answer 503 with Retry-After until its replica is promoted, never 500, and answers 2xx again after. The
 * other cases share a 3-master cluster without replicas and pause one master (SIGSTOP) for as long as they need its
 * shard without a master: what only that shard holds (the KB registry, a user's rate window) stops nothing else.
 */
@TimingSensitive
class ClusterShardOutageApiIT {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterShardOutageApiIT.class);
    private static final String CLIENT = "client-token-00000001";
    private static final String PROBE_KEY = "kbsync:readyz";
    /** Node 1 holds none of the keys shared by all KBs (ClusterFaultsIT), only the probe's key and its KBs'. */
    private static final int FAILED = 1;
    /** The KB registry's key: on one shard, read by every coordinator's sweep. */
    private static final String REGISTRY_KEY = "kbsync:kbs";

    /** 3 masters, no replicas: a paused master leaves its shard without one until it is resumed. */
    private static RedisClusterFixture masters;

    @BeforeAll
    static void startMasters() {
        masters = RedisClusterFixture.start();
    }

    @AfterAll
    static void stopMasters() {
        if (masters != null) {
            masters.close();
        }
    }

    private record Answer(long atNanos, long tookMs, String what, int status, String retryAfter, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        @Override
        public String toString() {
            return "+" + TimeUnit.NANOSECONDS.toMillis(atNanos) + " ms (" + tookMs + " ms) " + what + ": " + status
                    + (retryAfter == null ? "" : " Retry-After=" + retryAfter) + " " + body;
        }
    }

    @Test
    void shouldKeepServingTheHealthyShardsKbsAndStayReadyWhileTheProbeKeysMasterFailsOver() throws Exception {
        try (RedisClusterFixture cluster = RedisClusterFixture.startWithReplicasAndSpare(FAILED)) {
            RedisServer failedMaster = cluster.nodes().get(FAILED);
            assertThat(cluster.masterOf(cluster.slot(PROBE_KEY)))
                    .as("the master that owns %s", PROBE_KEY)
                    .isEqualTo(failedMaster);
            String healthy = pick(cluster, "healthy", i -> "kbsync:{kb:healthy" + i + "}:jobs", false);
            String failed = pick(cluster, "failed", i -> "kbsync:{kb:failed" + i + "}:jobs", true);
            // the user's and the token's rate-limit windows are one key each: on a healthy shard
            String user = pick(cluster, "u", i -> "kbsync:rl:{u" + i + "}", false);
            assertThat(cluster.masterOf(cluster.slot("kbsync:rl:token:{client}")))
                    .isNotEqualTo(failedMaster);

            try (Stack stack = Stack.start(cluster, healthy, failed)) {
                Probe probe = new Probe(stack.client(), stack.slow(), user, healthy, failed);

                // before: everything answers
                String job = probe.submit(healthy).await().bodyAsJsonObject().getString("id");
                assertThat(job).as("a job on %s", healthy).isNotNull();
                probe.job = job;
                List<Answer> before = new ArrayList<>(probe.round(0));
                before.addAll(probe.failedAnswers());
                for (Answer answer : before) {
                    assertThat(answer.ok()).as("before the kill: %s", answer).isTrue();
                }

                long killed = System.nanoTime();
                failedMaster.kill();
                List<Answer> answers = new ArrayList<>();
                long promoted = -1;
                long failedBack = -1;
                long deadline = killed + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    List<Answer> round = probe.round(killed);
                    answers.addAll(round);
                    if (promoted < 0
                            && (cluster.isMaster(cluster.replicaOf(FAILED))
                                    || cluster.isMaster(cluster.nodes().get(6)))) {
                        promoted = System.nanoTime() - killed;
                    }
                    if (failedBack < 0 && promoted >= 0) {
                        failedBack = probe.failedOkSince(promoted);
                    }
                    // two more seconds of the healthy shards after the failed one is back
                    if (failedBack >= 0 && System.nanoTime() - killed > failedBack + TimeUnit.SECONDS.toNanos(2)) {
                        break;
                    }
                    Thread.sleep(100);
                }
                answers.addAll(probe.failedAnswers());

                List<Answer> healthyWrong = answers.stream()
                        .filter(a -> !a.what().startsWith("failed "))
                        .filter(a -> !a.ok())
                        .toList();
                List<Answer> failedAnswers = answers.stream()
                        .filter(a -> a.what().startsWith("failed "))
                        .toList();
                List<Answer> failedWrong = failedAnswers.stream()
                        .filter(a -> !a.ok() && (a.status() != 503 || a.retryAfter() == null))
                        .toList();
                long healthyCount = answers.size() - failedAnswers.size();
                LOG.info(
                        "MEASURED: master of {} killed; a replica promoted {} ms after the kill; {} of {} answers on"
                                + " the healthy shard's KB {} and /readyz not 2xx (first: {}); the failed shard's KB"
                                + " {}: {} answers 503 (codes {}, answered within {} ms), {} 2xx, {} other (first"
                                + " wrong: {}), 2xx again {} ms after the kill",
                        PROBE_KEY,
                        promoted < 0 ? "never" : TimeUnit.NANOSECONDS.toMillis(promoted),
                        healthyWrong.size(),
                        healthyCount,
                        healthy,
                        healthyWrong.stream().limit(3).toList(),
                        failed,
                        failedAnswers.stream().filter(a -> a.status() == 503).count(),
                        failedAnswers.stream()
                                .filter(a -> a.status() == 503)
                                .map(a -> a.body().replaceAll(".*\"code\":\"([A-Z_]+)\".*", "$1"))
                                .distinct()
                                .toList(),
                        failedAnswers.stream()
                                .filter(a -> a.status() == 503)
                                .mapToLong(Answer::tookMs)
                                .max()
                                .orElse(0),
                        failedAnswers.stream().filter(Answer::ok).count(),
                        failedWrong.size(),
                        failedWrong.stream().limit(3).toList(),
                        failedBack < 0 ? "never" : TimeUnit.NANOSECONDS.toMillis(failedBack));

                assertThat(healthyWrong)
                        .as("answers on the healthy shard's KB and /readyz that were not 2xx while another shard"
                                + " failed over")
                        .isEmpty();
                assertThat(failedWrong)
                        .as("answers on the failed shard's KB other than 2xx or 503 with Retry-After")
                        .isEmpty();
                assertThat(failedBack)
                        .as("the failed shard's KB answers 2xx again")
                        .isPositive();
                assertThat(TimeUnit.NANOSECONDS.toMillis(failedBack)).isLessThan(20_000);
            }
        }
    }

    /**
     * The registry's shard has no master: the sweep goes on over the KBs it read last, so a grant on a healthy shard
     * whose holder went silent still lapses and the next waiter is granted (before, every pass waited for a read of the
     * registry, which failed after Redisson's retries, and no KB was swept for as long as the shard was down).
     */
    @Test
    void shouldEndALapsedGrantOnAHealthyShardWhileTheRegistrysShardHasNoMaster() throws Exception {
        RedisServer registry = masters.masterOf(masters.slot(REGISTRY_KEY));
        String kb = pick(masters, registry, "swept", i -> "kbsync:{kb:swept" + i + "}:queue", false);
        try (Stack stack = Stack.start(masters, kb)) {
            LeaseService leases = stack.coordinator().services().leases();
            withoutMaster(registry, () -> {
                Thread.sleep(6_000); // past the sweep's 5 s between reads of the registry: one is under way
                leases.request(KbId.of(kb), "silent", Duration.ofSeconds(1)).await();
                Lease next = leases.request(KbId.of(kb), "next", Duration.ofSeconds(30))
                        .await();
                assertThat(next.state()).isEqualTo(LeaseState.WAITING);
                KeepAlive alive = leases.keepAlive(next.id());
                try {
                    await().atMost(Duration.ofSeconds(6))
                            .until(() -> leases.get(next.id()).await().state() == LeaseState.GRANTED);
                } finally {
                    alive.close();
                }
            });
        }
    }

    /**
     * A user's rate window lives in a slot of its own: while its shard has no master, that user's notes to a KB on
     * another shard are taken, not limited by it (before: 503 REDIS_UNAVAILABLE on every KB), and counted as skipped.
     */
    @Test
    void shouldTakeTheNotesOfAUserWhoseRateWindowsShardHasNoMaster() throws Exception {
        RedisServer down = masters.nodes().get(FAILED);
        String kb = pick(masters, down, "limited", i -> "kbsync:{kb:limited" + i + "}:queue", false);
        String user = pick(masters, down, "u", i -> "kbsync:rl:{u" + i + "}", true);
        try (Stack stack = Stack.start(masters, kb)) {
            Probe probe = new Probe(stack.client(), stack.slow(), user, kb, kb);
            withoutMaster(down, () -> {
                long sent = System.nanoTime();
                HttpResponse<Buffer> answer = probe.submit(kb).await();
                LOG.info(
                        "MEASURED: a note of a user whose rate window's shard has no master: {} after {} ms",
                        answer.statusCode(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
                assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
                assertThat(stack.client()
                                .get("/metrics")
                                .bearerTokenAuthentication(CLIENT)
                                .send()
                                .await()
                                .bodyAsString())
                        .contains("kbsync_rate_windows_skipped_total 1.0");
            });
        }
    }

    /**
     * A coordinator starts while a shard has no master (Redisson's default slot coverage check refused: "Not all slots
     * covered!", taken for Redis unreachable) and serves the KBs of the other shards.
     */
    @Test
    void shouldStartWhileAShardHasNoMaster() throws Exception {
        RedisServer down = masters.nodes().get(FAILED);
        String kb = pick(masters, down, "started", i -> "kbsync:{kb:started" + i + "}:queue", false);
        withoutMaster(down, () -> {
            try (Stack stack = Stack.start(masters, kb)) {
                Probe probe = new Probe(stack.client(), stack.slow(), "u", kb, kb);
                HttpResponse<Buffer> answer = probe.submit(kb).await();
                assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
                assertThat(readyz(stack)).isEqualTo(200);
            }
        });
    }

    @Test
    void shouldStillCountRedisDownWhenNoShardAnswers() throws Exception {
        awaitCovered();
        try (Stack stack = Stack.start(masters, "kb0")) {
            Probe probe = new Probe(stack.client(), stack.slow(), "u1", "kb0", "kb0");
            assertThat(probe.submit("kb0").await().statusCode()).isEqualTo(202);
            masters.nodes().forEach(RedisServer::pause);
            long paused = System.nanoTime();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> readyz(stack) == 503);
                long down = System.nanoTime() - paused;
                HttpResponse<Buffer> refused = probe.submit("kb0").await();
                assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
                assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code"))
                        .isEqualTo("REDIS_UNAVAILABLE");
                assertThat(refused.getHeader("Retry-After")).isNotNull();
                LOG.info(
                        "MEASURED: every shard paused: /readyz 503 after {} ms, a submit {} {}",
                        TimeUnit.NANOSECONDS.toMillis(down),
                        refused.statusCode(),
                        refused.bodyAsString());
            } finally {
                masters.nodes().forEach(RedisServer::resume);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> readyz(stack) == 200);
        }
    }

    /**
     * Runs {@code during} with {@code master} paused and its shard marked failed by the others (no master serves it),
     * then resumes it and waits until every shard is served again.
     */
    private static void withoutMaster(RedisServer master, ThrowingRunnable during) throws Exception {
        awaitCovered();
        int slot = firstSlot(master);
        master.pause();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !served(slot));
            during.run();
        } finally {
            master.resume();
            awaitCovered();
        }
    }

    /** Waits until each of the shared cluster's masters serves its slots as at start. */
    private static void awaitCovered() {
        for (RedisServer master : masters.nodes()) {
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> masters.masterOf(firstSlot(master)).equals(master));
        }
    }

    private static boolean served(int slot) {
        try {
            masters.masterOf(slot);
            return true;
        } catch (IllegalStateException none) {
            return false;
        }
    }

    private static int firstSlot(RedisServer master) {
        return IntStream.range(0, RedisClusterFixture.SLOTS)
                .filter(slot -> masters.nodeForSlot(slot).equals(master))
                .findFirst()
                .orElseThrow();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** What the coordinator's {@code /readyz} answers now. */
    private static int readyz(Stack stack) {
        return stack.client().get("/readyz").timeout(5_000).send().await().statusCode();
    }

    /** A coordinator over HTTP on {@code cluster} with {@code kbs} configured, and two web clients to call it. */
    private record Stack(Vertx vertx, Coordinator coordinator, WebClient client, WebClient slow, Path yaml)
            implements AutoCloseable {
        static Stack start(RedisClusterFixture cluster, String... kbs) throws Exception {
            Path yaml = Files.createTempFile("kbsync-cluster-", ".yaml");
            Files.writeString(
                    yaml,
                    "clusterServersConfig:\n  scanInterval: 500\n  nodeAddresses:\n"
                            + cluster.nodeAddresses().stream()
                                    .map(a -> "    - \"" + a + "\"\n")
                                    .collect(Collectors.joining()));
            Map<String, String> env = Map.of(
                    "KBSYNC_HTTP_PORT",
                    "0",
                    "KBSYNC_REDIS_CONFIG_FILE",
                    yaml.toString(),
                    "KBSYNC_TOKENS",
                    "client:" + CLIENT,
                    "KBSYNC_KBS",
                    Arrays.stream(kbs)
                            .map(kb -> kb + "=/srv/git/" + kb + ".git#main")
                            .collect(Collectors.joining(",")),
                    "KBSYNC_RATE_LIMIT_SUBMISSIONS",
                    "1000000");
            Vertx vertx = Vertx.vertx();
            try {
                Coordinator coordinator = Coordinator.start(
                                vertx, CoordinatorConfig.load(Optional.empty(), env), ServicesFactory.redisEngine())
                        .await();
                WebClientOptions options =
                        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(coordinator.port());
                // the failed shard's calls on connections of their own, not awaited by a round: while they wait for
                // Redis the healthy shard's calls go on being sampled every ~100 ms
                return new Stack(
                        vertx,
                        coordinator,
                        WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(10)),
                        WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(200)),
                        yaml);
            } catch (RuntimeException e) {
                vertx.close().await();
                Files.deleteIfExists(yaml);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            slow.close();
            coordinator.stop().await();
            vertx.close().await();
            Files.deleteIfExists(yaml);
        }
    }

    /** One round of calls, sent together: submissions and reads on both KBs, and readiness. */
    private static final class Probe {
        private final WebClient client;
        private final WebClient slow;
        private final String user;
        private final String healthy;
        private final String failed;
        private final List<Answer> failedAnswers = Collections.synchronizedList(new ArrayList<>());
        private final List<Future<?>> failedCalls = new ArrayList<>();
        String job;

        Probe(WebClient client, WebClient slow, String user, String healthy, String failed) {
            this.client = client;
            this.slow = slow;
            this.user = user;
            this.healthy = healthy;
            this.failed = failed;
        }

        Future<HttpResponse<Buffer>> submit(String kb) {
            return submit(client, kb);
        }

        private Future<HttpResponse<Buffer>> submit(WebClient via, String kb) {
            return request(via, HttpMethod.POST, "/v1/kbs/" + kb + "/notes")
                    .sendJsonObject(new JsonObject().put("user", user).put("text", "t"));
        }

        /**
         * Sends a round and waits for its healthy shard's calls and readiness; the failed shard's calls are answered
         * in {@link #failedAnswers()}.
         */
        List<Answer> round(long since) {
            long t0 = System.nanoTime();
            long sent = t0 - since;
            Map<String, Future<HttpResponse<Buffer>>> calls = new LinkedHashMap<>();
            calls.put("healthy submit", submit(healthy));
            calls.put(
                    "healthy job read",
                    request(client, HttpMethod.GET, "/v1/jobs/" + job).send());
            calls.put(
                    "healthy queue read",
                    request(client, HttpMethod.GET, "/v1/kbs/" + healthy + "/queue")
                            .send());
            calls.put(
                    "readyz",
                    client.request(HttpMethod.GET, "/readyz").timeout(15_000).send());
            track("failed submit", sent, t0, submit(slow, failed));
            track(
                    "failed queue read",
                    sent,
                    t0,
                    request(slow, HttpMethod.GET, "/v1/kbs/" + failed + "/queue")
                            .send());
            Future.join(new ArrayList<>(calls.values())).otherwiseEmpty().await();
            List<Answer> answers = new ArrayList<>();
            calls.forEach((what, call) -> answers.add(answer(sent, t0, what, call)));
            return answers;
        }

        /** When (since the kill) the first failed shard's call sent after {@code since} was sent that answered 2xx; -1. */
        long failedOkSince(long since) {
            synchronized (failedAnswers) {
                return failedAnswers.stream()
                        .filter(a -> a.atNanos() >= since && a.ok())
                        .mapToLong(Answer::atNanos)
                        .min()
                        .orElse(-1);
            }
        }

        /** Every answer of the failed shard's calls, once all came. */
        List<Answer> failedAnswers() {
            Future.join(new ArrayList<>(failedCalls)).otherwiseEmpty().await();
            failedCalls.clear();
            synchronized (failedAnswers) {
                List<Answer> all = List.copyOf(failedAnswers);
                failedAnswers.clear();
                return all;
            }
        }

        private void track(String what, long sent, long t0, Future<HttpResponse<Buffer>> call) {
            failedCalls.add(call.andThen(r -> failedAnswers.add(answer(sent, t0, what, call))));
        }

        private static Answer answer(long sent, long t0, String what, Future<HttpResponse<Buffer>> call) {
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (call.failed()) {
                return new Answer(sent, took, what, -1, null, String.valueOf(call.cause()));
            }
            HttpResponse<Buffer> r = call.result();
            String body = r.bodyAsString();
            return new Answer(
                    sent,
                    took,
                    what,
                    r.statusCode(),
                    r.getHeader("Retry-After"),
                    body == null ? "" : body.substring(0, Math.min(160, body.length())));
        }

        private static HttpRequest<Buffer> request(WebClient via, HttpMethod method, String path) {
            return via.request(method, path).bearerTokenAuthentication(CLIENT).timeout(15_000);
        }
    }

    /** The first {@code prefix + i} whose key {@code key(i)} lives on the failed master ({@code onFailed}) or not. */
    private static String pick(
            RedisClusterFixture cluster, String prefix, java.util.function.IntFunction<String> key, boolean onFailed) {
        return pick(cluster, cluster.nodes().get(FAILED), prefix, key, onFailed);
    }

    /** The first {@code prefix + i} whose key {@code key(i)} lives on {@code master} ({@code on}) or not. */
    private static String pick(
            RedisClusterFixture cluster,
            RedisServer master,
            String prefix,
            java.util.function.IntFunction<String> key,
            boolean on) {
        return IntStream.range(0, 1000)
                .filter(i -> cluster.nodeForSlot(cluster.slot(key.apply(i))).equals(master) == on)
                .mapToObj(i -> prefix + i)
                .findFirst()
                .orElseThrow();
    }
}
