package dev.kbsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerPresenceTest {
    private static final Instant STARTED = Instant.parse("2026-12-05T04:00:00Z");

    private static WorkerPresence presence(Set<JobKind> kinds) {
        return new WorkerPresence("host-a", "0.1.0", 2, 2, false, List.of(), List.of(), STARTED, kinds);
    }

    @Test
    void shouldReportNoKindsWhenItRunsEveryKindAsAnOlderCoordinatorReadsReports() {
        WorkerPresence every = new WorkerPresence("host-a", "0.1.0", 2, 2, false, List.of(), List.of(), STARTED);

        assertThat(every.kinds()).isEqualTo(WorkerPresence.EVERY_KIND);
        assertThat(every.toReport().containsKey("kinds")).isFalse();
        assertThat(every.toJson().getJsonArray("kinds"))
                .isEqualTo(new JsonArray().add("note").add("agent"));
        assertThat(WorkerPresence.fromJson(every.toReport())).isEqualTo(every);
    }

    @Test
    void shouldReportTheKindsOfAWorkerThatRunsNotesOnly() {
        WorkerPresence notes = presence(EnumSet.of(JobKind.NOTE));

        assertThat(notes.toReport().getJsonArray("kinds")).isEqualTo(new JsonArray().add("note"));
        assertThat(WorkerPresence.fromJson(notes.toReport())).isEqualTo(notes);
    }

    @Test
    void shouldLeaveOutKindsThisVersionDoesNotKnowWhenReadingAStoredRecord() {
        WorkerPresence stored = WorkerPresence.fromJson(presence(EnumSet.of(JobKind.NOTE))
                .toJson()
                .put("kinds", new JsonArray().add("note").add("review")));
        WorkerPresence newerOnly = WorkerPresence.fromJson(
                presence(EnumSet.of(JobKind.NOTE)).toJson().put("kinds", new JsonArray().add("review")));

        assertThat(stored.kinds()).containsExactly(JobKind.NOTE);
        assertThat(newerOnly.kinds()).isEmpty();
    }

    @Test
    void shouldFindOnlyTheKindsThisVersionKnowsByTheirWireName() {
        assertThat(JobKind.find("agent")).contains(JobKind.AGENT);
        assertThat(JobKind.find("AGENT")).isEmpty();
        assertThat(JobKind.find("review")).isEmpty();
    }
}
