package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Scenario 8's "one Redis command per submit": exactly one, counted without the coordinator's presence messages. */
class SubmitCommandsTest {
    private static String verdict(int commands, int submits) {
        return Check.absolute(
                        Measurement.perOp("commands", commands / (double) submits, ""),
                        Scenarios.ONE_COMMAND_PER_SUBMIT)
                .verdict();
    }

    @Test
    void shouldMeetTheTargetWithExactlyOneCommandPerSubmit() {
        assertThat(verdict(500, 500)).startsWith("met");
    }

    @Test
    void shouldMissTheTargetWithFewerCommandsThanSubmits() {
        assertThat(verdict(0, 500)).startsWith("**not met**"); // a MONITOR that listed nothing
        assertThat(verdict(499, 500)).startsWith("**not met**");
    }

    @Test
    void shouldMissTheTargetWithMoreCommandsThanSubmits() {
        assertThat(verdict(501, 500)).startsWith("**not met**");
    }

    @Test
    void shouldLeaveOutOnlyThePresenceMessagesAmongThePublishes() {
        String presence = "+1765000000.123456 [0 127.0.0.1:50312] \"PUBLISH\" \"kbsync:events\" \"h 3f2a-coordinator\"";
        String queueChanged =
                "+1765000000.123456 [0 127.0.0.1:50312] \"PUBLISH\" \"kbsync:events\" \"q s-submit 3f2a-coordinator\"";

        assertThat(CommandMonitor.ignored(presence, SubmitLatency.BACKGROUND)).isTrue();
        assertThat(CommandMonitor.ignored(queueChanged, SubmitLatency.BACKGROUND))
                .isFalse();
    }
}
