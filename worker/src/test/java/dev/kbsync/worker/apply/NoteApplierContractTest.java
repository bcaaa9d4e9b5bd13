package dev.kbsync.worker.apply;

import dev.kbsync.api.Job;
import dev.kbsync.worker.fixture.Jobs;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

class NoteApplierContractTest extends ApplierContract {
    @Override
    Applier applier(Path scripts) {
        return new NoteApplier(Optional.empty(), Clock.systemUTC());
    }

    @Override
    Job changingJob(String marker) {
        return Jobs.note("job-" + marker, "alice", "Text with " + marker, "Title " + marker, null);
    }

    @Override
    Job escapingJob() {
        return Jobs.note("job-escape", "alice", "evil", "Evil", "../outside.md");
    }
}
