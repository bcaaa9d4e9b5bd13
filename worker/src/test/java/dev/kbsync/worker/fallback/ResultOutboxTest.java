package dev.kbsync.worker.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.ApiError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fixture.Jobs;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A result whose delivery is cut by its coordinator going away goes to the next coordinator at once. */
class ResultOutboxTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldDeliverToTheNextCoordinatorWhenTheFirstCutsTheCallWithoutGoingDegraded() throws Exception {
        // only this job's result counts: unit test classes run side by side, and another class's client retrying a
        // server it closed may reach one of these on the port the OS handed out again
        String result = "/v1/jobs/team~j1/result";
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger cut = new AtomicInteger();
        URI first = serve(r -> {
            seen.add("first: " + r.method() + " " + r.path());
            if (r.path().equals(result)) {
                cut.incrementAndGet();
            }
            r.connection().close();
        });
        String answer = Jobs.note("team~j1", "ada", "text", "T", null).toJson().encode();
        AtomicInteger delivered = new AtomicInteger();
        URI second = serve(r -> {
            seen.add("second: " + r.method() + " " + r.path());
            if (r.path().equals(result)) {
                delivered.incrementAndGet();
            }
            r.response().putHeader("Content-Type", "application/json").end(answer);
        });
        ModeTracker modes = new ModeTracker(FallbackMode.LOCAL);
        try (KbsyncClient client = KbsyncClient.create(vertx, ClientOptions.of(List.of(first, second), "t"))) {
            ResultOutbox outbox = new ResultOutbox(
                    client, modes, new RetryPolicy(Integer.MAX_VALUE, Duration.ofSeconds(60), Duration.ofSeconds(60)));

            long start = System.nanoTime();
            outbox.deliver(new JobReport("team~j1", new JobOutcome.Done("lease-1", "c0ffee", null, List.of(), 0)));

            assertThat(cut).as("requests seen: %s", seen).hasValue(1);
            assertThat(delivered).as("requests seen: %s", seen).hasValue(1);
            assertThat(modes.degraded()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("no backoff (30-60 s here)")
                    .isLessThan(Duration.ofSeconds(25));
            assertThat(outbox.pending()).isZero();
        }
    }

    @Test
    void shouldStillDeliverTheHeadsResultWhenAMembersAnswerCannotBeRead() throws Exception {
        String head = Jobs.note("team~head", "ada", "text", "T", null).toJson().encode();
        java.util.Set<String> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
        URI coordinator = serve(r -> {
            reported.add(r.path());
            r.response()
                    .putHeader("Content-Type", "application/json")
                    .end(r.path().contains("team~member") ? "{\"job\":\"not a job\"}" : head);
        });
        try (KbsyncClient client = KbsyncClient.create(vertx, ClientOptions.of(List.of(coordinator), "t"))) {
            ResultOutbox outbox = new ResultOutbox(
                    client,
                    new ModeTracker(FallbackMode.LOCAL),
                    new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(50), Duration.ofMillis(50)));
            java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();

            try {
                outbox.deliverCycle(
                        List.of(report("team~member"), report("team~other")),
                        report("team~head"),
                        r -> told.add(r.jobId()));
            } catch (RuntimeException e) {
                // the member's unreadable answer may surface; the head's result must go out all the same
            }

            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> reported.stream().anyMatch(p -> p.contains("team~head")));
            assertThat(reported).anyMatch(p -> p.contains("team~other"));
            assertThat(outbox.pending()).isZero();
        }
    }

    /**
     * A group commit of many notes in flight when Redis stopped: its members' results wait for Redis (the coordinator
     * answers 503). They must not hold up the results of the cycles the degraded coordinator hands out meanwhile,
     * which it can take (journal jobs): before, members were delivered by 8 shared threads, all retrying the first
     * batch, and the later cycles' results waited behind them until Redis came back.
     */
    @Test
    void shouldDeliverALaterCyclesResultsWhileAnEarlierBatchWaitsForRedis() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean redisBack = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.Set<String> delivered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        String answer = Jobs.note("team~x", "ada", "text", "T", null).toJson().encode();
        String unavailable = new ApiError("REDIS_UNAVAILABLE", "Redis is unreachable")
                .toJson()
                .encode();
        URI coordinator = serve(r -> {
            if (r.path().contains("team~stuck") && !redisBack.get()) {
                r.response()
                        .setStatusCode(503)
                        .putHeader("Retry-After", "1")
                        .putHeader("Content-Type", "application/json")
                        .end(unavailable);
                return;
            }
            delivered.add(r.path());
            r.response().putHeader("Content-Type", "application/json").end(answer);
        });
        try (KbsyncClient client = KbsyncClient.create(vertx, ClientOptions.of(List.of(coordinator), "t"))) {
            ModeTracker modes = new ModeTracker(FallbackMode.LOCAL);
            ResultOutbox outbox = new ResultOutbox(
                    client, modes, new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(50), Duration.ofMillis(50)));
            List<JobReport> batch = java.util.stream.IntStream.range(0, 16)
                    .mapToObj(i -> report("team~stuck-" + i))
                    .toList();
            outbox.deliverCycle(batch, report("team~stuck-head"), r -> {});
            assertThat(modes.degraded()).as("the coordinator answered 503").isTrue();

            outbox.deliverCycle(
                    List.of(report("team~later-1"), report("team~later-2")), report("team~later-head"), r -> {});

            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .alias("the later cycle's results, while the earlier batch waits for Redis")
                    .until(() -> delivered.stream().anyMatch(p -> p.contains("team~later-head")));
            assertThat(delivered).noneMatch(p -> p.contains("team~stuck"));

            redisBack.set(true);
            assertThat(outbox.awaitDelivered(Duration.ofSeconds(10))).isTrue();
            assertThat(delivered).anyMatch(p -> p.contains("team~stuck-head"));
        }
    }

    private static JobReport report(String jobId) {
        return new JobReport(jobId, new JobOutcome.Done("lease-" + jobId, "c0ffee", null, List.of(), 0));
    }

    private URI serve(Handler<HttpServerRequest> handler) throws Exception {
        HttpServer server = vertx.createHttpServer()
                .requestHandler(r -> r.body().onComplete(b -> handler.handle(r)))
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }
}
