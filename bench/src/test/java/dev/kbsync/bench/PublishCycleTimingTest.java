package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.git.Author;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.run.WorkUnit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 6 times a job as its anchor times the git CLI's (pull, write the note, add, commit, push: wall time): the
 * whole publish cycle, the note's apply included, not only the git time {@code PublishCycle} reports.
 */
class PublishCycleTimingTest {
    private static final long APPLY_MS = 300;

    @TempDir
    Path scratch;

    /** The bench's note, written {@link #APPLY_MS} late. */
    private record SlowNote(WorkUnit note) implements WorkUnit {
        @Override
        public String id() {
            return note.id();
        }

        @Override
        public Author author() {
            return note.author();
        }

        @Override
        public Map<String, String> trailers() {
            return note.trailers();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            try {
                Thread.sleep(APPLY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return note.apply(workTree, names);
        }

        @Override
        public void checkBeforePush() {
            note.checkBeforePush();
        }
    }

    @Test
    void shouldTimeTheWholeCycleTheNotesApplyIncluded() throws Exception {
        WorkerGit git = new WorkerGit(
                new BenchContext("redis://unused", scratch, true), id -> new SlowNote(WorkerGit.note(id)));
        Path remote = git.largeRemote(10);

        List<Measurement> rows = git.publishCycle(remote, 4, 2);

        assertThat(rows.get(0).latency().p50Ms()).isGreaterThanOrEqualTo(APPLY_MS);
    }
}
