package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.cli.stack.StartFailure;
import java.net.BindException;
import org.junit.jupiter.api.Test;

/**
 * How a refused bind is named: a port this user may not bind (EACCES: below 1024 without root) is a setting to change
 * (exit 2), not a port in use (exit 7, whose advice, the next port, would be refused the same).
 */
class BindRefusalTest {
    @Test
    void shouldSayThatAPrivilegedPortIsNotPermittedRatherThanInUse() {
        // what the JDK's bind throws for EACCES: the tests run as root, where no port is refused so
        StartFailure failure = StartFailure.of(new BindException("Permission denied"), StartFailure.Advice.up(80, null))
                .orElseThrow();

        assertThat(ExitCodes.of(failure.reason())).isEqualTo(ExitCodes.USAGE);
        assertThat(failure.getMessage())
                .isEqualTo("port 80 on 127.0.0.1 may not be bound by this user (Permission denied: ports below 1024"
                        + " need root or CAP_NET_BIND_SERVICE); choose another with --port, e.g. --port 8080")
                .doesNotContain("in use");
    }

    @Test
    void shouldStillSayThatATakenPortIsInUse() {
        StartFailure failure = StartFailure.of(
                        new BindException("Address already in use"), StartFailure.Advice.up(8080, null))
                .orElseThrow();

        assertThat(ExitCodes.of(failure.reason())).isEqualTo(ExitCodes.PORT_IN_USE);
        assertThat(failure.getMessage())
                .isEqualTo("port 8080 on 127.0.0.1 is in use (another kbsync up?); choose another with --port, e.g."
                        + " --port 8081");
    }

    @Test
    void shouldNameTheSettingOfAProductionProcess() {
        StartFailure.Advice worker = new StartFailure.Advice(
                "0.0.0.0",
                443,
                "another worker?",
                "set worker.http.port (KBSYNC_WORKER_HTTP_PORT) to a free one, or 0",
                "set worker.http.host",
                null,
                null);

        StartFailure failure = StartFailure.of(
                        new IllegalStateException("start failed", new BindException("Permission denied")), worker)
                .orElseThrow();

        assertThat(ExitCodes.of(failure.reason())).isEqualTo(ExitCodes.USAGE);
        assertThat(failure.getMessage())
                .startsWith("port 443 on 0.0.0.0 may not be bound by this user (Permission denied")
                .endsWith("set worker.http.port (KBSYNC_WORKER_HTTP_PORT) to a free one, or 0");
    }
}
