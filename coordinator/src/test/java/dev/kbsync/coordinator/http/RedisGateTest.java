package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis gate's deadline over real HTTP: a request whose Redis call never answers (Redis hung, and the health probe
 * has not noticed yet) is answered 503 at the deadline; a long-polled lease request, whose handler lets it wait as its
 * body asked ({@link RedisGate#allowWait}), only after that wait on top, and a plain one at the plain deadline, on
 * the same route. A request the gate answered counts once in kbsync_redis_unavailable_total, though its handler's
 * Redis call fails later too.
 */
class RedisGateTest {
    private static final Duration DEADLINE = Duration.ofMillis(300);

    private static Vertx vertx;
    private static WebClient client;
    private static final AtomicInteger refused = new AtomicInteger();
    /** Released once a handler's late failure went through the failure handler. */
    private static final java.util.concurrent.Semaphore lateFailures = new java.util.concurrent.Semaphore(0);

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        RedisHealth health = new RedisHealth(vertx, Future::succeededFuture, true); // up, never probed
        RedisGate gate = new RedisGate(health, DEADLINE);
        Router router = Router.router(vertx);
        router.route(HttpMethod.POST, "/v1/kbs/:kb/leases")
                .handler(BodyHandler.create(false))
                .handler(gate.handler())
                .handler(
                        ctx -> { // as the lease route: the wait its body asks for, checked; then a Redis call that
                            // never answers
                            RedisGate.allowWait(ctx, Inputs.waitMs(Bodies.object(ctx, "holder", "waitMs"), 0));
                        })
                .failureHandler(Failures.handler(refused::incrementAndGet));
        router.route(HttpMethod.GET, "/v1/jobs")
                .handler(gate.handler())
                .handler(
                        ctx -> // a Redis call that fails REDIS_UNAVAILABLE well after the deadline (Redisson's timeout)
                        vertx.setTimer(DEADLINE.toMillis() * 3, t -> {
                            ctx.fail(RedisHealth.unavailable());
                            lateFailures.release(); // its failure handler has run
                        }))
                .failureHandler(Failures.handler(refused::incrementAndGet));
        client = LoopbackServer.serve(vertx, router);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void shouldAnswerAPlainLeaseRequestAtTheDeadline() {
        Duration took = timed(new JsonObject().put("holder", "h"));

        assertThat(took).isGreaterThanOrEqualTo(DEADLINE).isLessThan(Duration.ofMillis(2_300));
    }

    @Test
    void shouldAnswerALongPolledLeaseRequestAfterItsWaitOnTopOfTheDeadline() {
        Duration took = timed(new JsonObject().put("holder", "h").put("waitMs", 1_500));

        assertThat(took).isGreaterThanOrEqualTo(DEADLINE.plusMillis(1_500)).isLessThan(Duration.ofMillis(4_000));
    }

    @Test
    void shouldRefuseABadWaitAtOnceWithoutWaitingForIt() {
        HttpResponse<?> response = client.post("/v1/kbs/team/leases")
                .sendJsonObject(new JsonObject().put("holder", "h").put("waitMs", -1))
                .await();

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code"))
                .isEqualTo("INVALID_FIELD");
    }

    @Test
    void shouldCountA503OnceWhenTheHandlersRedisCallFailsAfterTheGateAnsweredIt() throws InterruptedException {
        int before = refused.get();
        HttpResponse<?> response = client.get("/v1/jobs").send().await();
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(lateFailures.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS))
                .as("the handler's late failure came")
                .isTrue();

        assertThat(refused.get() - before)
                .as("kbsync_redis_unavailable_total for one 503")
                .isEqualTo(1);
    }

    private static Duration timed(JsonObject body) {
        long started = System.nanoTime();
        HttpResponse<?> response =
                client.post("/v1/kbs/team/leases").sendJsonObject(body).await();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code"))
                .isEqualTo("REDIS_UNAVAILABLE");
        return took;
    }
}
