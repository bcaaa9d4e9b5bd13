package dev.kbsync.worker.run;

import dev.kbsync.git.CommitResult;
import dev.kbsync.git.GitException;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.PushResult;
import dev.kbsync.kb.FileChange;
import dev.kbsync.worker.apply.ApplyResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one write path of jobs and library sessions: sync to the remote, skip if the remote already has the unit's
 * {@code Kbsync-Job} commit, apply, commit with trailers, check, push (never forced). A non-fast-forward rejection
 * starts over from the sync, at most {@link PushRetry#maxRetries()} times.
 */
public final class PublishCycle {
    public static final String JOB_TRAILER = "Kbsync-Job";
    private static final Logger log = LoggerFactory.getLogger(PublishCycle.class);
    private static final int TRAILER_SEARCH_DEPTH = 500;

    private final PushRetry retry;
    private final PhaseListener listener;
    private final Consumer<Duration> gitTime;

    public PublishCycle(PushRetry retry, PhaseListener listener, Consumer<Duration> gitTime) {
        this.retry = retry;
        this.listener = listener;
        this.gitTime = gitTime;
    }

    /** Publishes {@code unit} through {@code checkout}; throws {@link UnitAbortedException} from the pre-push check. */
    public Outcome run(KbCheckout checkout, WorkUnit unit) {
        return runAll(checkout, List.of(unit)).get(0);
    }

    /**
     * Group commit: publishes {@code units} (sharing one lease; the first one's pre-push check covers all) with one
     * commit each, in order, and one push. Each unit is checked for its own {@code Kbsync-Job} commit on every sync,
     * so a retry re-applies only the units the remote does not have. Outcomes come in the units' order.
     */
    public List<Outcome> runAll(KbCheckout checkout, List<? extends WorkUnit> units) {
        GitStopwatch git = new GitStopwatch();
        try {
            return attempt(checkout, units, git, 0);
        } finally {
            gitTime.accept(git.total());
        }
    }

    private List<Outcome> attempt(
            KbCheckout checkout, List<? extends WorkUnit> units, GitStopwatch git, int rejections) {
        KbRepository repo;
        try {
            repo = git.time(checkout::syncToRemote);
        } catch (GitException e) {
            return same(units.size(), new Outcome.Failed(GitFailureCodes.ofSync(e), e.getMessage(), rejections));
        }
        List<Outcome> outcomes = new ArrayList<>();
        Map<Integer, CommitResult.Committed> commits = new LinkedHashMap<>();
        for (int i = 0; i < units.size(); i++) {
            Step step = land(repo, units.get(i), git, rejections);
            outcomes.add(step.outcome());
            if (step.commit() != null) {
                commits.put(i, step.commit());
            }
        }
        if (commits.isEmpty()) {
            return outcomes;
        }
        units.get(0).checkBeforePush();
        PushResult push = pushOrFail(repo, git);
        if (push instanceof PushResult.Pushed) {
            commits.forEach((i, c) -> {
                listener.reached(Phase.PUSHED, units.get(i).id());
                outcomes.set(i, new Outcome.Published(c.commitId(), c.changes(), rejections));
            });
            return outcomes;
        }
        int rejected = push instanceof PushResult.RejectedNonFastForward ? rejections + 1 : rejections;
        if (!(push instanceof PushResult.RejectedNonFastForward) || rejected > retry.maxRetries()) {
            Outcome failed = rejected == rejections
                    ? new Outcome.Failed(GitFailureCodes.ofPush(push), push.message(), rejections)
                    : new Outcome.Failed(
                            "PUSH_REJECTED",
                            "push rejected " + rejected + " times (someone else kept pushing first)",
                            rejected);
            commits.keySet().forEach(i -> outcomes.set(i, failed));
            return outcomes;
        }
        log.info(
                "push of {} rejected (non-fast-forward); re-applying on the new remote head, retry {}",
                units.get(0).id(),
                rejected);
        retry.pause(rejected);
        return attempt(checkout, units, git, rejected);
    }

    /** One unit on the synced checkout: found already published, refused, unchanged, or committed (not pushed). */
    private Step land(KbRepository repo, WorkUnit unit, GitStopwatch git, int rejections) {
        listener.reached(Phase.PULLED, unit.id());
        Optional<String> existing =
                git.time(() -> repo.findCommitWithTrailer(JOB_TRAILER, unit.id(), TRAILER_SEARCH_DEPTH));
        if (existing.isPresent()) {
            log.info("remote already has commit {} for {}; not applying it again", existing.get(), unit.id());
            return new Step(
                    new Outcome.AlreadyPublished(existing.get(), filesOf(repo, existing.get()), rejections), null);
        }
        ApplyResult applied = unit.apply(repo.workTree());
        if (applied instanceof ApplyResult.Refused refused) {
            return new Step(new Outcome.Failed(refused.error(), rejections), null);
        }
        listener.reached(Phase.APPLIED, unit.id());
        String message = ((ApplyResult.Changed) applied).commitMessage();
        CommitResult commit = git.time(() -> repo.commit(message, unit.author(), trailers(unit)));
        if (!(commit instanceof CommitResult.Committed committed)) {
            return new Step(new Outcome.Unchanged(rejections), null);
        }
        listener.reached(Phase.COMMITTED, unit.id());
        return new Step(new Outcome.Unchanged(rejections), committed);
    }

    /** A unit's state after landing: its outcome so far and, if it made one, its unpushed commit. */
    private record Step(Outcome outcome, CommitResult.Committed commit) {}

    private static List<Outcome> same(int n, Outcome outcome) {
        return new ArrayList<>(Collections.nCopies(n, outcome));
    }

    private static PushResult pushOrFail(KbRepository repo, GitStopwatch git) {
        try {
            return git.time(repo::push);
        } catch (GitException e) {
            return new PushResult.Rejected("ERROR", e.getMessage());
        }
    }

    /** The files a commit changed (with links), for reporting a job found already published. */
    private static List<FileChange> filesOf(KbRepository repo, String commit) {
        try {
            return repo.changedFilesBetween(commit + "^", commit);
        } catch (GitException e) {
            log.warn("could not list the files of commit {}: {}", commit, e.getMessage());
            return List.of();
        }
    }

    private static Map<String, String> trailers(WorkUnit unit) {
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put(JOB_TRAILER, unit.id());
        trailers.putAll(unit.trailers());
        return trailers;
    }
}
