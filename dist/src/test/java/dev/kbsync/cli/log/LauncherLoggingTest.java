package dev.kbsync.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** The launcher's logback.xml, read into a logging context of its own: what it keeps off the log. */
class LauncherLoggingTest {
    @Test
    void shouldDropRedissonsPingFailuresThatRedisHealthReportsOnce() throws Exception {
        LoggerContext context = launcherLogging();

        // Redisson logs each pooled connection's failed PING at ERROR with its stack trace (~25 per Redis stall)
        assertThat(context.getLogger("org.redisson.client.handler.PingConnectionHandler")
                        .isEnabledFor(Level.ERROR))
                .isFalse();
        assertThat(context.getLogger("org.redisson.client.handler.CommandsQueue")
                        .isEnabledFor(Level.ERROR))
                .as("the rest of Redisson")
                .isTrue();
    }

    private static LoggerContext launcherLogging() throws Exception {
        URL file = LogSetup.class.getResource("/logback.xml");
        assertThat(file).isNotNull();
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(file);
        return context;
    }
}
