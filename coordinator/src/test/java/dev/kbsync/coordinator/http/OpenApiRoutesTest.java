package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.auth.AuthHandler;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.service.PendingServices;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document lists exactly the router's routes: every route documented, no documented path the router does
 * not serve. A new route fails this until it is documented (and OpenApiContractIT until a real answer of it fits).
 */
class OpenApiRoutesTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void shouldDocumentEveryRouteAndNothingElse() {
        assertThat(new OpenApiDocument().operations()).isEqualTo(routes(false));
    }

    @Test
    void shouldAnswerHeadOnEveryGetRouteAndNowhereElse() {
        Set<String> gets = new TreeSet<>();
        Set<String> heads = new TreeSet<>();
        for (String route : routes(true)) {
            if (route.startsWith("GET ")) {
                gets.add(route.substring(4));
            } else if (route.startsWith("HEAD ")) {
                heads.add(route.substring(5));
            }
        }
        assertThat(heads).isNotEmpty().isEqualTo(gets);
    }

    @Test
    void shouldBeAnOpenApi31DocumentWithAResponseForEveryOperation() {
        OpenApiDocument doc = new OpenApiDocument();
        assertThat(doc.json().getString("openapi")).isEqualTo("3.1.0");
        doc.json()
                .getJsonObject("paths")
                .forEach(path -> ((io.vertx.core.json.JsonObject) path.getValue()).forEach(op -> {
                    io.vertx.core.json.JsonObject operation = (io.vertx.core.json.JsonObject) op.getValue();
                    assertThat(operation.getJsonObject("responses").fieldNames())
                            .as(op.getKey() + " " + path.getKey())
                            .isNotEmpty();
                    assertThat(operation.getString("x-kbsync-role"))
                            .as(op.getKey() + " " + path.getKey() + " names its role")
                            .isNotBlank();
                }));
    }

    /**
     * The router's routes as {@code "METHOD /path/{param}"}; HEAD's only with {@code head} (docs/api.md says every GET
     * answers HEAD; the document lists the GETs).
     */
    private Set<String> routes(boolean head) {
        CoordinatorConfig config =
                CoordinatorConfig.load(Optional.empty(), Map.of("KBSYNC_TOKENS", "admin:admin-token-000000001"));
        Router router = new HttpApi(
                        vertx,
                        config,
                        new PendingServices().services(), // routes only: no service is called
                        AuthHandler.disabled(),
                        new PrometheusMetrics(new ProcessMetrics()),
                        new RedisHealth(vertx, io.vertx.core.Future::succeededFuture),
                        Optional.empty(),
                        null)
                .router();
        Set<String> routes = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() == null || route.methods() == null) {
                continue; // the failure handler
            }
            for (HttpMethod method : route.methods()) {
                if (method.equals(HttpMethod.HEAD) && !head) {
                    continue;
                }
                routes.add(method.name() + " "
                        + route.getPath()
                                .replaceAll(":([A-Za-z]+)", "{$1}")
                                .replaceAll("/files/\\*?$", "/files/{path}"));
            }
        }
        return routes;
    }
}
