package dev.kbsync.worker.apply;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbConfig;
import java.nio.file.Path;
import java.util.Objects;

/** Dispatches a job to the applier of its kind. */
public final class Appliers implements Applier {
    private final Applier notes;
    private final Applier agents;

    public Appliers(Applier notes, Applier agents) {
        this.notes = Objects.requireNonNull(notes, "notes");
        this.agents = Objects.requireNonNull(agents, "agents");
    }

    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb) {
        return switch (job.kind()) {
            case NOTE -> notes.apply(checkout, job, kb);
            case AGENT -> agents.apply(checkout, job, kb);
        };
    }

    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb, StopSignal stop, CaseIndex names) {
        return switch (job.kind()) {
            case NOTE -> notes.apply(checkout, job, kb, stop, names);
            case AGENT -> agents.apply(checkout, job, kb, stop, names);
        };
    }
}
