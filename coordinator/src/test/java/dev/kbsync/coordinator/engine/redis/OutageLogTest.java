package dev.kbsync.coordinator.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.testing.LogCapture;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OutageLogTest {
    private static final String NAME = "dev.kbsync.test.OutageLogTest";

    @Test
    void shouldLogAnOutageAsOneWarningAndOneRecoveryHoweverManyFailuresItHad() {
        OutageLog outage = new OutageLog(LoggerFactory.getLogger(NAME), "publishing presence");
        try (LogCapture logs = new LogCapture(NAME)) {
            outage.succeeded();
            for (int i = 0; i < 60; i++) {
                outage.failed("h c1", new IOException("connection refused"));
            }
            outage.succeeded();
            outage.succeeded();
            outage.failed("h c1", new IOException("connection refused"));

            assertThat(logs.lines().stream()
                            .filter(l -> !l.startsWith("DEBUG"))
                            .map(l -> l.replace(" {}", ""))
                            .toList())
                    .containsExactly(
                            "WARN publishing presence failed (logged once until it recovers):"
                                    + " java.io.IOException: connection refused",
                            "INFO publishing presence recovered",
                            "WARN publishing presence failed (logged once until it recovers):"
                                    + " java.io.IOException: connection refused");
        }
    }
}
