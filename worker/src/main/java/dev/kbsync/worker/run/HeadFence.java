package dev.kbsync.worker.run;

import dev.kbsync.git.KbRepository;
import dev.kbsync.git.TrailerBound;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The newest fence on the synced branch, read once per attempt and only if a unit is to be published. */
final class HeadFence {
    private static final Logger log = LoggerFactory.getLogger(PublishCycle.class);

    private final KbRepository repo;
    private final GitStopwatch git;
    private final Map<String, OptionalLong> byKb = new HashMap<>();

    HeadFence(KbRepository repo, GitStopwatch git) {
        this.repo = repo;
        this.git = git;
    }

    /** A {@code STALE_FENCE} failure if the branch was fenced by a later grant (or this job's, used). */
    Optional<Outcome> refuses(WorkUnit unit, int rejections) {
        Optional<Fencing> fencing = unit.fencing();
        if (fencing.isEmpty()) {
            return Optional.empty();
        }
        Fencing f = fencing.get();
        OptionalLong fence =
                byKb.computeIfAbsent(f.kb(), kb -> git.time(() -> repo.latestFence(kb, TrailerBound.DEFAULT_CAP)));
        if (fence.isEmpty() || f.admits(fence.getAsLong())) {
            return Optional.empty();
        }
        log.warn(
                "not publishing {}: the branch is fenced at {} for KB {}, this grant's token is {}",
                unit.id(),
                fence.getAsLong(),
                f.kb(),
                f.token());
        return Optional.of(new Outcome.Failed(
                PublishCycle.STALE_FENCE,
                "the branch already carries fence " + fence.getAsLong() + " for KB " + f.kb() + "; this grant's token "
                        + f.token() + " is stale",
                rejections));
    }
}
