package dev.kbsync.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One SSE encoding, one decoding: what the coordinator writes is what the client reads. */
class KbsyncEventTest {
    private static final Instant T = Instant.parse("2026-11-29T07:00:00Z");

    @Test
    void shouldWriteTheSseFrameOfAnEvent() {
        JobEvent event = new JobEvent.Position(job(JobState.QUEUED));

        assertThat(event.frame())
                .isEqualTo("event: position\ndata: " + event.job().toJson().encode() + "\n\n");
    }

    @Test
    void shouldDecodeWhatItEncodes() {
        Job job = job(JobState.DONE);
        Lease lease = new Lease(
                "team~1", KbId.of("team"), "bot", LeaseState.WAITING, 2, null, null, null, null, null, 30_000);
        QueueSnapshot snapshot = new QueueSnapshot(
                KbId.of("team"),
                Optional.of(new QueueEntry("t1", "job", "alice", "j1", T, 1200, 42L)),
                List.of(),
                List.of(new QueueEntry("t2", "lease", "bot", null, T, 300, null)),
                4100);

        for (KbsyncEvent event : List.of(
                new JobEvent.State(job),
                new JobEvent.Position(job),
                new JobEvent.Doing(job(JobState.RUNNING).withDoing("committing")),
                new LeaseEvent.Position(lease),
                new SnapshotEvent(snapshot),
                new KbRemovedEvent(KbId.of("team")))) {
            Optional<? extends KbsyncEvent> decoded = event instanceof JobEvent
                    ? JobEvent.decode(event.name(), event.data())
                    : event instanceof LeaseEvent
                            ? LeaseEvent.decode(event.name(), event.data())
                            : QueueEvent.decode(event.name(), event.data());
            assertThat(decoded).get().isEqualTo(event);
        }
    }

    @Test
    void shouldEndStreamsAfterFinishedJobsAndEndedLeasesOnly() {
        assertThat(new JobEvent.State(job(JobState.FAILED)).last()).isTrue();
        assertThat(new JobEvent.State(job(JobState.RUNNING)).last()).isFalse();
        for (LeaseState state : LeaseState.values()) {
            Lease lease = new Lease("l", KbId.of("k"), "h", state, 0, 1L, null, T, T, T, 1000);
            assertThat(new LeaseEvent.State(lease).last())
                    .isEqualTo(state == LeaseState.RELEASED || state == LeaseState.EXPIRED);
        }
    }

    @Test
    void shouldSkipEventNamesItDoesNotKnow() {
        assertThat(JobEvent.decode("progress", job(JobState.QUEUED).toJson())).isEmpty();
    }

    private static Job job(JobState state) {
        return new Job(
                "j1",
                KbId.of("team"),
                "alice",
                new JobPayload.Note("text", "title", null),
                state,
                state == JobState.QUEUED ? 1 : 0,
                0,
                0,
                state == JobState.QUEUED ? null : 42L,
                state == JobState.QUEUED ? null : 42L,
                state == JobState.DONE ? "c0ffee" : null,
                null,
                List.of(),
                null,
                null,
                1,
                T,
                null,
                null);
    }
}
