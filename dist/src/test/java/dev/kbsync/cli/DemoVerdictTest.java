package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoVerdictTest {
    private static RemoteLog.Entry commit(String job, long fence) {
        return new RemoteLog.Entry("0123456789abcdef", "u", "Add: x", job, fence, 1);
    }

    @Test
    void shouldPassWhenEveryJobLandedOnceInFenceOrder() {
        DemoVerdict verdict = DemoVerdict.of(
                Set.of("a", "b"), Map.of("a", "done", "b", "done"), List.of(commit("a", 1), commit("b", 2)));
        assertThat(verdict.ok()).isTrue();
    }

    @Test
    void shouldFailOnADuplicateCommit() {
        DemoVerdict verdict = DemoVerdict.of(Set.of("a"), Map.of("a", "done"), List.of(commit("a", 1), commit("a", 2)));
        assertThat(verdict.ok()).isFalse();
        assertThat(verdict.summary()).contains("0 in the remote exactly once");
    }

    @Test
    void shouldFailWhenFencesGoBackwards() {
        DemoVerdict verdict = DemoVerdict.of(
                Set.of("a", "b"), Map.of("a", "done", "b", "done"), List.of(commit("a", 2), commit("b", 1)));
        assertThat(verdict.summary()).contains("NOT increasing");
    }

    @Test
    void shouldFailOnAnUnknownJobInTheHistory() {
        DemoVerdict verdict =
                DemoVerdict.of(Set.of("a"), Map.of("a", "done"), List.of(commit("a", 1), commit("zzz", 2)));
        assertThat(verdict.ok()).isFalse();
        assertThat(verdict.summary()).contains("1 unexpected commits");
    }
}
