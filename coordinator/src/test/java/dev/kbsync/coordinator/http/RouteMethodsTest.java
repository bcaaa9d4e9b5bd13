package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

class RouteMethodsTest {
    @Test
    void shouldNameTheMethodsOfEveryTemplateThatMatchesInAFixedOrder() {
        RouteMethods methods = new RouteMethods();
        methods.add(HttpMethod.DELETE, "/v1/jobs/:id");
        methods.add(HttpMethod.GET, "/v1/jobs/:id");
        methods.add(HttpMethod.GET, "/v1/kbs/:kb/files/*");
        methods.add(HttpMethod.GET, "/");

        assertThat(methods.allowed("/v1/jobs/team~1")).isEqualTo("GET, DELETE");
        assertThat(methods.allowed("/v1/jobs/team~1/events")).isEmpty();
        assertThat(methods.allowed("/v1/kbs/team/files/notes/a.md")).isEqualTo("GET");
        assertThat(methods.allowed("/v1/kbs/te.am/files/x")).isEqualTo("GET");
        assertThat(methods.allowed("/")).isEqualTo("GET");
        assertThat(methods.allowed("/v1/jobs")).isEmpty();
    }
}
