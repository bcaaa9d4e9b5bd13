package dev.kbsync.worker.run;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.git.Author;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.apply.NoteApplier;
import dev.kbsync.worker.apply.StopSignal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * A note job as a unit with a fixed fence (and first fence) and a configurable pre-push check, for cycle tests; its KB keeps notes at
 * the root (registered with the note path template {@code {slug}.md}).
 */
record NoteUnit(Job job, long fence, long firstFence, Runnable beforePush) implements WorkUnit {
    private static final KbConfig AT_ROOT =
            new KbConfig(KbId.of("team"), "file:///team.git", "main", new NotePathTemplate("{slug}.md"));

    NoteUnit(Job job, long fence) {
        this(job, fence, fence, () -> {});
    }

    NoteUnit(Job job, long fence, Runnable beforePush) {
        this(job, fence, fence, beforePush);
    }

    @Override
    public String id() {
        return job.id();
    }

    @Override
    public Author author() {
        return new Author(job.user(), job.user() + "@users.kbsync");
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }

    @Override
    public Optional<Fencing> fencing() {
        return Optional.of(new Fencing("team", fence, firstFence, false));
    }

    @Override
    public ApplyResult apply(Path workTree, CaseIndex names) {
        return new NoteApplier(Optional.empty(), Clock.systemUTC())
                .apply(workTree, job, AT_ROOT, StopSignal.never(), names);
    }

    @Override
    public void checkBeforePush() {
        beforePush.run();
    }
}
