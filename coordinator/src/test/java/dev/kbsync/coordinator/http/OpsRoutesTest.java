package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.metrics.ProcessMetrics;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ops routes over real HTTP, with a Redis that answers or not as the test says. */
class OpsRoutesTest {
    private static final AtomicBoolean answering = new AtomicBoolean(true);
    private static final AtomicReference<Boolean> scrapedOnEventLoop = new AtomicReference<>();

    private static Vertx vertx;
    private static WebClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        RedisHealth health = new RedisHealth(
                vertx,
                () -> answering.get() ? Future.succeededFuture() : Future.failedFuture("connection refused"),
                true);
        ProcessMetrics process = new ProcessMetrics();
        Gauge.builder("test.scraped.on.event.loop", () -> {
                    scrapedOnEventLoop.set(Context.isOnEventLoopThread()); // read as the scrape is built
                    return 1;
                })
                .register(process.registry());
        OpsRoutes ops = new OpsRoutes(health, new PrometheusMetrics(process), Optional.empty());
        Router router = Router.router(vertx);
        router.route(HttpMethod.GET, "/readyz").handler(ops::handleReady);
        router.route(HttpMethod.GET, "/metrics").handler(ops::handleMetrics);
        client = LoopbackServer.serve(vertx, router);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void shouldBuildTheScrapeOffTheEventLoop() {
        HttpResponse<Buffer> scrape = client.get("/metrics").send().await();

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.getHeader("Content-Type")).isEqualTo(ProcessMetrics.CONTENT_TYPE);
        assertThat(scrape.bodyAsString()).contains("test_scraped_on_event_loop 1.0");
        assertThat(scrapedOnEventLoop.get())
                .as("built on an event loop (it grows with every KB)")
                .isFalse();
    }

    @Test
    void shouldWarnOncePerOutageHoweverOftenReadinessIsProbed() {
        List<String> lines;
        try (LogCapture logs = new LogCapture()) {
            answering.set(false);
            for (int i = 0; i < 5; i++) {
                assertThat(client.get("/readyz").send().await().statusCode()).isEqualTo(503);
            }
            answering.set(true);
            assertThat(client.get("/readyz").send().await().statusCode()).isEqualTo(200);
            lines = logs.lines().stream().filter(l -> l.contains("readiness")).toList();
        }

        assertThat(lines.stream().filter(l -> l.startsWith("WARN"))).hasSize(1);
        assertThat(lines.stream().filter(l -> l.startsWith("INFO"))).hasSize(1);
    }
}
