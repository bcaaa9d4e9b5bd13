package dev.kbsync.worker.run;

import dev.kbsync.api.Assignment;
import dev.kbsync.git.Author;
import dev.kbsync.worker.apply.Applier;
import dev.kbsync.worker.apply.ApplyResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** A coordinator job as a {@link WorkUnit}: fenced by its lease, checked against the lease right before push. */
final class JobUnit implements WorkUnit {
    private final Assignment assignment;
    private final Applier applier;
    private final Author author;
    private final LeaseKeeper keeper;
    private final BooleanSupplier abandoning;
    private volatile String answer;

    JobUnit(Assignment assignment, Applier applier, Author author, LeaseKeeper keeper, BooleanSupplier abandoning) {
        this.assignment = assignment;
        this.applier = applier;
        this.author = author;
        this.keeper = keeper;
        this.abandoning = abandoning;
    }

    @Override
    public String id() {
        return assignment.job().id();
    }

    @Override
    public Author author() {
        return author;
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }

    @Override
    public Optional<Fencing> fencing() {
        long token = assignment.lease().fencingToken();
        Long first = assignment.job().firstFencingToken();
        long firstToken = first == null || first <= 0 || first > token ? token : first;
        return Optional.of(new Fencing(assignment.kb().id().value(), token, firstToken, false));
    }

    @Override
    public ApplyResult apply(Path workTree) {
        ApplyResult result = applier.apply(workTree, assignment.job(), assignment.kb(), keeper.stop());
        keeper.stop().stopped().ifPresent(stop -> {
            throw new UnitAbortedException(stop.code(), stop.message());
        });
        answer = result instanceof ApplyResult.Changed changed ? changed.answer() : null;
        return result;
    }

    /** What the applier answered the last time it ran for this job (an agent's output), or null. */
    String answer() {
        return answer;
    }

    @Override
    public void checkBeforePush() {
        throwIfAbandoning();
        keeper.checkBeforePush();
    }

    /** The lease's check runs while the last commit is written; a shutdown begun meanwhile still stops the push. */
    @Override
    public PrePushCheck startCheckBeforePush() {
        throwIfAbandoning();
        PrePushCheck lease = keeper.startCheckBeforePush();
        return () -> {
            throwIfAbandoning();
            lease.await();
        };
    }

    private void throwIfAbandoning() {
        if (abandoning.getAsBoolean()) {
            throw new UnitAbortedException(
                    UnitAbortedException.WORKER_SHUTDOWN, "worker shut down before the push; nothing was published");
        }
    }
}
