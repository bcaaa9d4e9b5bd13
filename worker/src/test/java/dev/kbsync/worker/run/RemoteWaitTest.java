package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Activity;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RemoteWaitTest {
    private static final Instant SINCE = Instant.parse("2026-12-06T05:12:34.567Z");

    @Test
    void shouldSaySinceWhenHowOftenAndWhenTheNextTryComes() {
        assertThat(new RemoteWait(SINCE, 3, Duration.ofMillis(3_600)).says("https://git.example.com/team.git"))
                .isEqualTo("waiting for https://git.example.com/team.git to answer: unreachable since"
                        + " 2026-12-06T05:12:34Z, 3 tries, next in 4 s");
        assertThat(new RemoteWait(SINCE, 1, Duration.ofMillis(800)).says("https://h/kb.git"))
                .endsWith(", 1 try, next in 1 s");
    }

    @Test
    void shouldCutALongRemoteAndKeepTheNumbersWithinWhatAHeartbeatCarries() {
        String says = new RemoteWait(SINCE, 12, Duration.ofSeconds(30))
                .says("https://git.example.com/" + "a-very-long-group/".repeat(20) + "team.git");

        assertThat(says)
                .hasSize(Activity.MAX_LENGTH)
                .startsWith("waiting for https://git.example.com/a-very-long-group/")
                .endsWith("… to answer: unreachable since 2026-12-06T05:12:34Z, 12 tries, next in 30 s");
        assertThat(Activity.valid(says)).isTrue();
    }
}
