package dev.kbsync.coordinator.http;

import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** auth.metricsPublic=true: Prometheus may scrape without a token; the API still needs one. */
class PublicMetricsIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_METRICS_PUBLIC", "true"));

    @Test
    void shouldServeMetricsWithoutATokenOnly() {
        assertThat(api.call(GET, "/metrics", null).statusCode()).isEqualTo(200);
        assertThat(api.call(GET, "/v1/kbs", null).statusCode()).isEqualTo(401);
    }
}
