package dev.kbsync.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessMetricsTest {
    @Test
    void shouldReportTheHttpServerAndTheJvmButNotTheEventBus() throws Exception {
        ProcessMetrics metrics = new ProcessMetrics();
        Vertx vertx = metrics.vertx();
        try {
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(
                            request -> request.response().setStatusCode(204).end())
                    .listen(0, "127.0.0.1")
                    .await(10, TimeUnit.SECONDS);
            HttpClient client = vertx.createHttpClient(); // held: an unreachable client may be closed under the call
            client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/x")
                    .compose(request -> request.send())
                    .await(10, TimeUnit.SECONDS);
            client.close().await(10, TimeUnit.SECONDS);
            vertx.eventBus().send("somewhere", "message");

            String scrape = metrics.scrape();

            assertThat(scrape)
                    .contains("# TYPE vertx_http_server_requests_total counter")
                    .containsPattern("vertx_http_server_requests_total\\{code=\"204\",method=\"GET\",route=\"\"} 1.0")
                    .contains("# TYPE jvm_memory_used_bytes gauge")
                    .doesNotContain("vertx_eventbus_")
                    .doesNotContain("vertx_http_client_");
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A method name is the caller's to choose, before any auth: each made-up one must not add meters to the registry
     * (and series to every scrape) for the process's life. Methods HTTP defines keep their names; the rest are OTHER.
     */
    @Test
    void shouldCountMadeUpHttpMethodsAsOneOtherMethod() throws Exception {
        ProcessMetrics metrics = new ProcessMetrics();
        Vertx vertx = metrics.vertx();
        try {
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(
                            request -> request.response().setStatusCode(405).end())
                    .listen(0, "127.0.0.1")
                    .await(10, TimeUnit.SECONDS);
            HttpClient client = vertx.createHttpClient();
            for (String method : List.of("ZZ1", "ZZ2", "ZZ3", "PATCH", "ZZ4")) {
                client.request(HttpMethod.valueOf(method), server.actualPort(), "127.0.0.1", "/x")
                        .compose(request -> request.send())
                        .await(10, TimeUnit.SECONDS);
            }
            client.close().await(10, TimeUnit.SECONDS);

            String scrape = metrics.scrape();

            assertThat(scrape)
                    .containsPattern("vertx_http_server_requests_total\\{code=\"405\",method=\"OTHER\",route=\"\"} 4.0")
                    .containsPattern("vertx_http_server_requests_total\\{code=\"405\",method=\"PATCH\",route=\"\"} 1.0")
                    .doesNotContain("ZZ");
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
