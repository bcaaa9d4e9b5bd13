package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.BlockingLeaseChannel;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.client.LeaseChannel;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis made unreachable under a running coordinator (SIGSTOP or {@code docker pause}: connections stay open, nothing
 * answers; then SIGKILL: connections refused): every route that needs Redis answers 503 REDIS_UNAVAILABLE with
 * Retry-After within a bounded time, never a 500 and never a hang; readiness and the metrics show it; after Redis
 * returns the same routes work again.
 */
@TimingSensitive
class RedisOutageApiIT {
    private static final Logger LOG = LoggerFactory.getLogger(RedisOutageApiIT.class);
    /** The longest any route may take to answer while Redis is unreachable. */
    private static final Duration BOUND = Duration.ofSeconds(6);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    private record Call(HttpMethod method, String path, String token, JsonObject body) {}

    @Test
    void shouldAnswer503WithRetryAfterOnEveryRouteThatNeedsRedisWhilePausedThenKilled() {
        JsonObject job = api.call(
                        POST,
                        "/v1/kbs/demo/notes",
                        CLIENT,
                        new JsonObject().put("user", "u1").put("text", "t"))
                .bodyAsJsonObject();
        String jobId = job.getString("id");
        assertThat(jobId).as("the submit before the outage: %s", job.encode()).isNotNull();
        JsonObject lease = api.call(
                        POST,
                        "/v1/kbs/demo/leases",
                        CLIENT,
                        new JsonObject().put("holder", "h").put("ttlMs", 60_000))
                .bodyAsJsonObject();
        String leaseId = lease.getString("id");
        assertThat(leaseId)
                .as("the lease before the outage: %s", lease.encode())
                .isNotNull();
        Map<String, Call> calls = calls(jobId, leaseId);

        api.redis.process().pause();
        try {
            assertEveryRouteUnavailable(calls);
            assertReadinessAndMetricsShowTheOutage();
        } finally {
            api.redis.process().resume();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.call(GET, "/readyz", null).statusCode() == 200);

        api.redis.process().kill();
        try {
            assertEveryRouteUnavailable(calls);
            assertReadinessAndMetricsShowTheOutage();
        } finally {
            api.redis.process().restart();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.call(GET, "/readyz", null).statusCode() == 200);
        assertThat(api.call(GET, "/v1/kbs", CLIENT).statusCode()).isEqualTo(200);
        assertThat(metric("kbsync_redis_up")).isEqualTo("1.0");
    }

    @Test
    void shouldRefuseABadRequestOrPathIdAsItWouldWithRedisUpWhileRedisIsDown() {
        // bad inputs that no retry can mend: they answer 400 as with Redis up, not 503 (which tells a bot to retry)
        Map<String, Call> bad = new LinkedHashMap<>();
        bad.put("job read with a malformed id", new Call(GET, "/v1/jobs/x!y", CLIENT, null));
        bad.put("job events with a malformed id", new Call(GET, "/v1/jobs/x!y/events", CLIENT, null));
        bad.put("job cancel with a malformed id", new Call(DELETE, "/v1/jobs/x!y", CLIENT, null));
        bad.put("job retry with a malformed id", new Call(POST, "/v1/jobs/x!y/retry", CLIENT, null));
        bad.put(
                "job result with a malformed id",
                new Call(
                        POST,
                        "/v1/jobs/x!y/result",
                        WORKER,
                        new JsonObject().put("leaseId", "l").put("state", "done")));
        bad.put(
                "give back with a malformed lease id",
                new Call(POST, "/v1/workers/w-1/give-back", WORKER, new JsonObject().put("leaseId", "x!y")));
        bad.put("give back without a lease id", new Call(POST, "/v1/workers/w-1/give-back", WORKER, new JsonObject()));
        bad.put("lease read with a malformed id", new Call(GET, "/v1/leases/x!y", CLIENT, null));
        bad.put("lease release with a malformed id", new Call(DELETE, "/v1/leases/x!y", CLIENT, null));
        bad.put("queue of a malformed KB name", new Call(GET, "/v1/kbs/bad!kb/queue", ADMIN, null));
        bad.put(
                "worker presence with a malformed worker id",
                new Call(PUT, "/v1/workers/bad!w", WORKER, new JsonObject()));
        bad.put("note without text", new Call(POST, "/v1/kbs/demo/notes", CLIENT, new JsonObject().put("user", "u1")));
        bad.put(
                "note with a bad user",
                new Call(
                        POST,
                        "/v1/kbs/demo/notes",
                        CLIENT,
                        new JsonObject().put("user", "no spaces allowed").put("text", "t")));
        bad.put(
                "agent task without task",
                new Call(POST, "/v1/kbs/demo/agent-tasks", CLIENT, new JsonObject().put("user", "u1")));
        bad.put(
                "KB registration with a bad remote",
                new Call(
                        PUT,
                        "/v1/kbs/newkb",
                        ADMIN,
                        new JsonObject().put("remote", "nope").put("branch", "main")));
        bad.put("KB registration without a branch", new Call(PUT, "/v1/kbs/newkb", ADMIN, new JsonObject()));
        bad.put(
                "poll with a negative wait",
                new Call(POST, "/v1/workers/w-1/poll", WORKER, new JsonObject().put("waitMs", -1)));
        bad.put(
                "job result with a bad state",
                new Call(
                        POST,
                        "/v1/jobs/demo~t1/result",
                        WORKER,
                        new JsonObject().put("leaseId", "demo~t1.7").put("state", "bogus")));
        bad.put(
                "group commit extend past its maximum",
                new Call(POST, "/v1/leases/demo~t1.7/extend", WORKER, new JsonObject().put("max", 99)));
        bad.put("worker presence without its fields", new Call(PUT, "/v1/workers/w-1", WORKER, new JsonObject()));
        bad.put("lease without holder", new Call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject()));
        bad.put(
                "lease with a negative ttl",
                new Call(
                        POST,
                        "/v1/kbs/demo/leases",
                        CLIENT,
                        new JsonObject().put("holder", "h").put("ttlMs", -1)));
        Map<String, String> upCodes = new LinkedHashMap<>();
        bad.forEach((name, call) -> {
            HttpResponse<Buffer> answer = send(call);
            assertThat(answer.statusCode())
                    .as(name + ": " + answer.bodyAsString())
                    .isEqualTo(400);
            upCodes.put(name, answer.bodyAsJsonObject().getJsonObject("error").getString("code"));
        });

        api.redis.process().pause();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> api.call(GET, "/readyz", null).statusCode() == 503);
            bad.forEach((name, call) -> {
                HttpResponse<Buffer> answer = send(call);
                assertThat(answer.statusCode())
                        .as(name + ": " + answer.bodyAsString())
                        .isEqualTo(400);
                assertThat(answer.bodyAsJsonObject().getJsonObject("error").getString("code"))
                        .as(name)
                        .isEqualTo(upCodes.get(name));
            });
            assertThat(api.call(
                                    POST,
                                    "/v1/kbs/demo/notes",
                                    CLIENT,
                                    new JsonObject().put("user", "u1").put("text", "t"))
                            .statusCode())
                    .as("a good submission while Redis is down")
                    .isEqualTo(503);
        } finally {
            api.redis.process().resume();
        }
        // Redis answers the coordinator's reads again before the next test submits (its first call must succeed)
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.call(GET, "/readyz", null).statusCode() == 200
                        && api.call(GET, "/v1/kbs", CLIENT).statusCode() == 200);
    }

    /**
     * A stream's or job list's query that no retry can mend is refused 400 while Redis is down, as with Redis up: the
     * query is read before the Redis gate. So is a repeated {@code access_token}.
     */
    @Test
    void shouldRefuseABadStreamOrJobListQueryWhileRedisIsDown() {
        Map<String, String> bad = new LinkedHashMap<>(); // path: the code it answers
        bad.put("/v1/events?bogus=1", "UNKNOWN_PARAMETER");
        bad.put("/v1/events?job=a&user=b", "INVALID_PARAMETER");
        bad.put("/v1/events?job=a&job=b", "INVALID_PARAMETER");
        bad.put("/v1/events?job=", "INVALID_JOB_ID");
        bad.put("/v1/events?job=x!y", "INVALID_JOB_ID");
        bad.put("/v1/events?user=no%20spaces", "INVALID_USER");
        bad.put("/v1/jobs?bogus=1", "UNKNOWN_PARAMETER");
        bad.put("/v1/jobs?limit=0", "INVALID_LIMIT");
        bad.put("/v1/jobs?state=nope", "INVALID_STATE");
        bad.put("/v1/jobs?kb=a&kb=b", "INVALID_PARAMETER");
        api.redis.process().pause();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> api.call(GET, "/readyz", null).statusCode() == 503);
            bad.forEach((path, code) -> assertRefused(api.call(GET, path, CLIENT), path, code));
            String twice = "/v1/events?access_token=" + CLIENT + "&access_token=" + CLIENT;
            assertRefused(api.call(GET, twice, null), "access_token twice", "INVALID_PARAMETER");
            assertRefused(api.call(GET, twice, CLIENT), "access_token twice beside a header", "INVALID_PARAMETER");
        } finally {
            api.redis.process().resume();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.call(GET, "/readyz", null).statusCode() == 200
                        && api.call(GET, "/v1/kbs", CLIENT).statusCode() == 200);
    }

    private static void assertRefused(HttpResponse<Buffer> answer, String what, String code) {
        assertThat(answer.statusCode()).as(what + ": " + answer.bodyAsString()).isEqualTo(400);
        JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).as(what).isEqualTo(code);
        assertThat(error.getString("message")).as(what).isNotBlank();
    }

    @Test
    void shouldAnswerEveryLeaseChannelCall503WithRetryAfterWhilePausedAndServeAgainAfter() throws Exception {
        KbId kb = KbId.of("demo");
        api.call(
                PUT,
                "/v1/kbs/outage-other",
                ADMIN,
                new JsonObject().put("remote", "/srv/git/outage-other.git").put("branch", "main"));
        try (BlockingLeaseChannel channel = api.client(CLIENT).openLeaseChannel()) {
            Lease held = channel.request(kb, LeaseRequest.of("before").withTtl(Duration.ofSeconds(60)));
            // a release answered 503 has an unknown outcome (Redis may still run it once it answers again): the lease
            // released during the pause is not the one checked afterwards
            Lease released = channel.request(
                    KbId.of("outage-other"), LeaseRequest.of("other").withTtl(Duration.ofSeconds(60)));
            api.redis.process().pause();
            try {
                List<Future<Lease>> during = List.of(
                        channel.async().request(kb, LeaseRequest.of("during")),
                        channel.async().request(kb, LeaseRequest.of("waiting").withWait(Duration.ofSeconds(2))),
                        channel.async().heartbeat(held.id()),
                        channel.async().release(released.id()));
                long started = System.nanoTime();
                for (Future<Lease> call : during) {
                    Throwable failure = call.toCompletionStage()
                            .toCompletableFuture()
                            .handle((lease, e) -> e)
                            .get(BOUND.toMillis() + 2_000, TimeUnit.MILLISECONDS);
                    assertThat(failure).isInstanceOf(KbsyncException.ServiceUnavailable.class);
                    KbsyncException.ServiceUnavailable unavailable = (KbsyncException.ServiceUnavailable) failure;
                    assertThat(unavailable.code()).isEqualTo("REDIS_UNAVAILABLE");
                    assertThat(unavailable.retryAfter()).isPresent();
                }
                // the wait of 2 s plus Redis's bound of 4 s, with room for a loaded machine
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND.plusSeconds(2));
            } finally {
                api.redis.process().resume();
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> api.call(GET, "/readyz", null).statusCode() == 200);
            assertThat(channel.isOpen()).isTrue();
            assertThat(channel.heartbeat(held.id()).state()).isEqualTo(LeaseState.GRANTED);
            channel.release(held.id());
            assertThat(channel.release(released.id()).state())
                    .isEqualTo(LeaseState.RELEASED); // released twice: harmless
        }
    }

    @Test
    void shouldAnswerAChannelRequestWaitingForItsGrant503OnceRedisIsSeenDown() throws Exception {
        api.call(
                PUT,
                "/v1/kbs/outage-wait",
                ADMIN,
                new JsonObject().put("remote", "/srv/git/outage-wait.git").put("branch", "main"));
        KbId kb = KbId.of("outage-wait");
        try (BlockingLeaseChannel channel = api.client(CLIENT).openLeaseChannel()) {
            Lease held = channel.request(kb, LeaseRequest.of("holder").withTtl(Duration.ofSeconds(60)));
            Future<Lease> waiting =
                    channel.async().request(kb, LeaseRequest.of("waiter").withWait(Duration.ofSeconds(30)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> api.call(GET, "/v1/kbs/outage-wait/queue", CLIENT)
                                    .bodyAsJsonObject()
                                    .getJsonArray("waiters")
                                    .size()
                            == 1);
            api.redis.process().pause();
            long paused = System.nanoTime();
            Throwable failure;
            try {
                // as an HTTP long poll is: at once when the probe finds Redis down, not after the 30 s wait
                failure = waiting.toCompletionStage()
                        .toCompletableFuture()
                        .handle((lease, e) -> e)
                        .get(40, TimeUnit.SECONDS);
            } finally {
                api.redis.process().resume();
            }
            Duration answeredAfter = Duration.ofNanos(System.nanoTime() - paused);
            assertThat(failure).isInstanceOf(KbsyncException.ServiceUnavailable.class);
            assertThat(((KbsyncException.ServiceUnavailable) failure).code()).isEqualTo("REDIS_UNAVAILABLE");
            assertThat(answeredAfter).isLessThan(BOUND);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> api.call(GET, "/readyz", null).statusCode() == 200);
            assertThat(channel.isOpen()).isTrue();
            channel.release(held.id());
        }
    }

    @Test
    void shouldReleaseALeaseWhoseChannelRequestTheClientGaveUpOn() throws Exception {
        api.call(
                PUT,
                "/v1/kbs/late",
                ADMIN,
                new JsonObject().put("remote", "/srv/git/late.git").put("branch", "main"));
        ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:" + api.port()), CLIENT)
                .withRequestTimeout(Duration.ofSeconds(1));
        try (KbsyncClient client = KbsyncClient.create(api.vertx, options)) {
            LeaseChannel channel = client.async().openLeaseChannel().await();
            Future<Lease> late;
            api.redis.process().pause();
            try {
                late = channel.request(KbId.of("late"), LeaseRequest.of("late"));
                await().atMost(Duration.ofSeconds(5)).until(late::isComplete);
                Thread.sleep(500); // Redis answers after the client gave up, within the coordinator's bound
            } finally {
                api.redis.process().resume();
            }
            assertThat(late.cause()).isInstanceOf(KbsyncException.TimedOut.class);

            // the coordinator granted it once Redis answered; the client, which never learned its id, released it
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> api.call(GET, "/v1/kbs/late/queue", CLIENT).statusCode() == 200
                            && api.call(GET, "/v1/kbs/late/queue", CLIENT)
                                            .bodyAsJsonObject()
                                            .getValue("holder")
                                    == null);
            assertThat(channel.isOpen()).isTrue();
            channel.closeAsync().await();
        }
    }

    private static Map<String, Call> calls(String jobId, String leaseId) {
        JsonObject note = new JsonObject().put("user", "u2").put("text", "during the outage");
        JsonObject done = new JsonObject().put("leaseId", leaseId).put("state", "done");
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("submit note", new Call(POST, "/v1/kbs/demo/notes", CLIENT, note));
        calls.put(
                "submit agent task",
                new Call(
                        POST,
                        "/v1/kbs/demo/agent-tasks",
                        CLIENT,
                        new JsonObject().put("user", "u2").put("task", "tidy")));
        calls.put("get job", new Call(GET, "/v1/jobs/" + jobId, CLIENT, null));
        calls.put("job events", new Call(GET, "/v1/jobs/" + jobId + "/events", CLIENT, null));
        calls.put("job retry", new Call(POST, "/v1/jobs/" + jobId + "/retry", CLIENT, null));
        calls.put("job result", new Call(POST, "/v1/jobs/" + jobId + "/result", WORKER, done));
        calls.put("poll", new Call(POST, "/v1/workers/w-1/poll", WORKER, new JsonObject().put("waitMs", 1000)));
        // a job lease id (a raw lease is refused from its id alone, without Redis)
        String jobLease = jobId + ".1.a1";
        calls.put("extend", new Call(POST, "/v1/leases/" + jobLease + "/extend", WORKER, new JsonObject()));
        calls.put(
                "give back",
                new Call(POST, "/v1/workers/w-1/give-back", WORKER, new JsonObject().put("leaseId", jobLease)));
        calls.put("presence", new Call(PUT, "/v1/workers/w-1", WORKER, WorkersApiIT.presence()));
        calls.put("workers", new Call(GET, "/v1/workers", CLIENT, null));
        calls.put("kbs", new Call(GET, "/v1/kbs", CLIENT, null));
        calls.put(
                "register kb",
                new Call(
                        PUT,
                        "/v1/kbs/outage",
                        ADMIN,
                        new JsonObject().put("remote", "/srv/git/outage.git").put("branch", "main")));
        calls.put("queue", new Call(GET, "/v1/kbs/demo/queue", CLIENT, null));
        calls.put("recent jobs", new Call(GET, "/v1/kbs/demo/recent-jobs", CLIENT, null));
        calls.put("kb events", new Call(GET, "/v1/kbs/demo/events", CLIENT, null));
        calls.put("all events", new Call(GET, "/v1/events", CLIENT, null));
        calls.put("request lease", new Call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject().put("holder", "h2")));
        calls.put(
                "long-polled lease request",
                new Call(
                        POST,
                        "/v1/kbs/demo/leases",
                        CLIENT,
                        new JsonObject().put("holder", "h3").put("waitMs", 20_000)));
        calls.put("get lease", new Call(GET, "/v1/leases/" + leaseId, CLIENT, null));
        calls.put("lease events", new Call(GET, "/v1/leases/" + leaseId + "/events", CLIENT, null));
        calls.put("heartbeat", new Call(POST, "/v1/leases/" + leaseId + "/heartbeat", CLIENT, null));
        calls.put("release", new Call(DELETE, "/v1/leases/" + leaseId, CLIENT, null));
        calls.put("force release", new Call(POST, "/v1/admin/kbs/demo/force-release", ADMIN, null));
        return calls;
    }

    /** All calls at once (each must answer within the bound on its own), then every answer checked. */
    private static HttpResponse<Buffer> send(Call call) {
        return call.body() == null
                ? api.call(call.method(), call.path(), call.token())
                : api.call(call.method(), call.path(), call.token(), call.body());
    }

    private static void assertEveryRouteUnavailable(Map<String, Call> calls) {
        List<String> names = new ArrayList<>(calls.keySet());
        List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
        WebClient client = WebClient.create(
                api.vertx,
                new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(api.port()),
                new PoolOptions().setHttp1MaxSize(names.size()));
        long start = System.nanoTime();
        for (String name : names) {
            Call call = calls.get(name);
            HttpRequest<Buffer> request = client.request(call.method(), call.path())
                    .bearerTokenAuthentication(call.token())
                    .timeout(BOUND.toMillis() + 4000);
            sent.add(call.body() == null ? request.send() : request.sendJsonObject(call.body()));
        }
        Future.join(sent).otherwiseEmpty().await();
        client.close();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Future<HttpResponse<Buffer>> answer = sent.get(i);
            if (answer.failed()) {
                wrong.add(names.get(i) + ": no answer (" + answer.cause() + ")");
                continue;
            }
            HttpResponse<Buffer> response = answer.result();
            String code = response.statusCode() == 503
                    ? response.bodyAsJsonObject().getJsonObject("error").getString("code")
                    : null;
            if (response.statusCode() != 503
                    || !"REDIS_UNAVAILABLE".equals(code)
                    || response.getHeader("Retry-After") == null) {
                wrong.add(names.get(i) + ": " + response.statusCode() + " Retry-After="
                        + response.getHeader("Retry-After") + " " + response.bodyAsString());
            }
        }
        LOG.info("{} routes answered within {} ms while Redis was unreachable", names.size(), elapsedMs);
        assertThat(wrong)
                .as("routes that did not answer 503 REDIS_UNAVAILABLE with Retry-After")
                .isEmpty();
        assertThat(elapsedMs).as("slowest answer, ms").isLessThan(BOUND.toMillis());
    }

    private static void assertReadinessAndMetricsShowTheOutage() {
        HttpResponse<Buffer> ready = api.call(GET, "/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.getHeader("Retry-After")).isNotNull();
        assertThat(ready.bodyAsJsonObject().getJsonObject("error").getString("code"))
                .isEqualTo("NOT_READY");
        assertThat(ready.bodyAsJsonObject().getString("redis")).isEqualTo("down");
        assertThat(api.call(GET, "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(metric("kbsync_redis_up")).isEqualTo("0.0");
        assertThat(Double.parseDouble(metric("kbsync_redis_unavailable_total"))).isPositive();
    }

    /** The value of an unlabelled metric in the scrape. */
    private static String metric(String name) {
        String scrape = api.call(GET, "/metrics", ADMIN).bodyAsString();
        return scrape.lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .findFirst()
                .orElse("absent");
    }
}
