package dev.kbsync.worker.run;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobError;
import dev.kbsync.api.Trailers;
import dev.kbsync.git.CheckoutDamagedException;
import dev.kbsync.git.CommitResult;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitException;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.PushResult;
import dev.kbsync.git.RemoteUnavailableException;
import dev.kbsync.git.TrailerBound;
import dev.kbsync.git.paths.SafePaths;
import dev.kbsync.worker.apply.ApplyResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one write path of jobs and library sessions: sync to the remote, skip if the remote already has the unit's
 * {@code Kbsync-Job} commit (one walk of the recent history for all the units of a batch), apply, commit with
 * trailers, check, push (never forced). The pre-push check is started once the last unit is applied and awaited
 * before the push, so that its round trip to the coordinator overlaps the last commit. A non-fast-forward rejection
 * starts over from the sync, at most {@link PushRetry#maxRetries()} times. Several units (group commit) share one
 * sync and one push, with one commit each. Each commit stages only the files its unit's applier reported.
 *
 * <p>Exactly-once with an optimistic sync ({@link KbCheckout#syncForPublish()} skips the fetch when this checkout's
 * last cycle pushed cleanly at the first try): the trailer check then reads local history, origin/branch as our own
 * push left it, which may be behind the remote. That is still exactly-once, because the push is never forced and the
 * remote only accepts a fast-forward of the head it has: our commits sit on top of the head our last push left, so
 * the push can only succeed if the remote has gained no commit since, i.e. if the history we checked is the remote's
 * whole history. If anybody pushed in between (another worker, possibly even the same job after a lost lease), the
 * push is rejected as non-fast-forward (or the remote ref changed under it), and the retry syncs with a fetch: the
 * checkout's unpushed commits are dropped and it is moved onto the remote's new head (path by path, see
 * {@link KbCheckout#pushRejected()}; the same result as a full reset for every tracked file), the trailers are checked
 * again on the remote's new history, and only the units it lacks are re-applied. A push that fails in transport
 * retries through the full reset (its commits may have landed after all).
 */
public final class PublishCycle {
    private static final Logger log = LoggerFactory.getLogger(PublishCycle.class);
    /** Why a unit was refused: the branch already carries a fence of a later (or its own, used) grant. */
    public static final String STALE_FENCE = "STALE_FENCE";

    private final PushRetry retry;
    private final PhaseListener listener;
    private final CycleObserver stats;

    /** {@code stats} receives each cycle's {@link CycleStats} when it ends, and hears of each unreachable remote. */
    public PublishCycle(PushRetry retry, PhaseListener listener, CycleObserver stats) {
        this.retry = retry;
        this.listener = listener;
        this.stats = stats;
    }

    /**
     * Publishes {@code unit} through {@code checkout}; throws {@link UnitAbortedException} from the pre-push check, and
     * an unexpected error as it came.
     */
    public Outcome run(KbCheckout checkout, WorkUnit unit) {
        try {
            return runAll(checkout, List.of(unit)).get(0);
        } catch (CycleFailedException e) {
            throw e.getCause();
        }
    }

    /**
     * Group commit: publishes {@code units} (sharing one lease; the first one's pre-push check covers all) with one
     * commit each, in order, and one push. Each unit is checked for its own {@code Kbsync-Job} commit on every sync,
     * so a retry re-applies only the units the remote does not have. Outcomes come in the units' order. A stop before
     * the push ({@link UnitAbortedException}) and an unexpected error ({@link CycleFailedException}) tell which units
     * a sync found on the remote (or the push landed): those landed all the same, as they do when a later sync fails.
     */
    public List<Outcome> runAll(KbCheckout checkout, List<? extends WorkUnit> units) {
        GitStopwatch git = new GitStopwatch();
        CycleRounds rounds = new CycleRounds(stats);
        try {
            return attempt(checkout, units, git, rounds);
        } catch (UnitAbortedException e) {
            throw e.withLanded(rounds.landed(units));
        } catch (RuntimeException e) {
            throw new CycleFailedException(e, rounds.landed(units));
        } finally {
            stats.ended(new CycleStats(git.total(), rounds.rejections, rounds.behind));
        }
    }

    private List<Outcome> attempt(
            KbCheckout checkout, List<? extends WorkUnit> units, GitStopwatch git, CycleRounds done) {
        KbRepository repo;
        try {
            repo = sync(checkout, units.get(0), git, done.outage);
            if (done.rounds == 0 && done.rejections == 0) {
                done.behind = checkout.remoteMovedAtSync();
            }
        } catch (GitException e) {
            if (DiskFull.causedBy(e)) {
                throw e; // this worker's disk, not the remote: the runner reports DISK_FULL
            }
            // waited until the unit's time was up: a push that failed may have landed; the job's next run finds it
            Optional<Outcome.Failed> unavailable = done.outage.failure(e, done.rejections);
            if (unavailable.isPresent()) {
                return done.landedOrUncertain(unavailable.get(), units.size());
            }
            if (done.uncertain != null) { // a push that may have landed: keep checking while rounds are left
                log.warn(
                        "sync after the failed push of {} failed too ({})",
                        done.uncertain.batch().first(),
                        e.getMessage());
                return again(done.uncertain.batch(), done.uncertain.failure());
            }
            return done.landedOr(
                    new Outcome.Failed(GitFailureCodes.ofSync(e), e.getMessage(), done.rejections), units.size());
        }
        done.uncertain = null; // this sync sees whatever landed
        List<Outcome> outcomes = new ArrayList<>();
        Map<Integer, CommitResult.Committed> commits = new LinkedHashMap<>();
        try {
            Map<String, String> published = git.time(() -> published(repo, units));
            HeadFence head = new HeadFence(repo, git);
            PrePush prePush = new PrePush(units.get(0));
            done.synced(outcomes);
            landAll(units, published, head, prePush, repo, git, done, outcomes, commits);
        } catch (CheckoutDamagedException e) {
            if (done.recloned) {
                throw e;
            }
            // an older commit is missing or corrupt (the reset reads only the head's tree): clone again, start over
            done.recloned = true;
            checkout.damaged(e.getMessage());
            return attempt(checkout, units, git, done);
        }
        if (commits.isEmpty()) {
            return outcomes;
        }
        return push(new CycleBatch(checkout, units, git, done, repo, commits, outcomes));
    }

    /**
     * Syncs the checkout with the remote; while the remote cannot be reached for now and {@code first} (the batch's
     * head: its grant is the batch's) waits for it, tries again after a growing pause (and tells {@code first} once it
     * answers). Throws the last failure.
     */
    private static KbRepository sync(KbCheckout checkout, WorkUnit first, GitStopwatch git, RemoteOutage outage) {
        while (true) {
            try {
                KbRepository repo = git.time(checkout::syncForPublish);
                outage.answered(first);
                return repo;
            } catch (RemoteUnavailableException e) {
                if (!outage.waitAgain(first, e)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Lands each unit on the synced checkout ({@code outcomes} and {@code commits} fill in as it goes), then waits for
     * the pre-push check if anything was committed.
     */
    private void landAll(
            List<? extends WorkUnit> units,
            Map<String, String> published,
            HeadFence head,
            PrePush prePush,
            KbRepository repo,
            GitStopwatch git,
            CycleRounds done,
            List<Outcome> outcomes,
            Map<Integer, CommitResult.Committed> commits) {
        for (int i = 0; i < units.size(); i++) {
            Optional<String> existing =
                    Optional.ofNullable(published.get(units.get(i).id()));
            Optional<Outcome> stale =
                    existing.isPresent() ? Optional.empty() : head.refuses(units.get(i), done.rejections);
            if (stale.isPresent()) {
                outcomes.add(stale.get());
                continue;
            }
            Runnable beforeCommit = i == units.size() - 1 ? prePush::start : () -> {};
            Step step = land(repo, units.get(i), existing, git, done.rejections, beforeCommit);
            outcomes.add(step.outcome());
            if (step.commit() != null) {
                commits.put(i, step.commit());
            }
        }
        if (!commits.isEmpty()) {
            prePush.await();
        }
    }

    /**
     * One unit on the synced checkout: found already published ({@code existing}: its commit on the remote), refused,
     * unchanged, or committed (not pushed). A unit that created a file but committed nothing failed: git left the file
     * unstaged, so reading it unchanged (done) would lose it. {@code beforeCommit} runs between its apply and its
     * commit.
     */
    private Step land(
            KbRepository repo,
            WorkUnit unit,
            Optional<String> existing,
            GitStopwatch git,
            int rejections,
            Runnable beforeCommit) {
        listener.reached(Phase.PULLED, unit.id());
        if (existing.isPresent()) {
            log.info("remote already has commit {} for {}; not applying it again", existing.get(), unit.id());
            return new Step(
                    new Outcome.AlreadyPublished(existing.get(), filesOf(repo, existing.get()), rejections), null);
        }
        ApplyResult applied = unit.apply(repo.workTree(), repo::caseTwin);
        if (applied instanceof ApplyResult.Refused refused) {
            return new Step(new Outcome.Failed(refused.error(), rejections), null);
        }
        ApplyResult.Changed changed = (ApplyResult.Changed) applied;
        List<String> paths = changed.files().stream().map(FileChange::path).toList();
        Optional<JobError> twin = git.time(() -> CaseTwins.refusal(repo, changed.files()));
        if (twin.isPresent()) {
            repo.restore(paths);
            return new Step(new Outcome.Failed(twin.get(), rejections), null);
        }
        listener.reached(Phase.APPLIED, unit.id());
        beforeCommit.run();
        CommitResult commit =
                git.time(() -> repo.commitPaths(paths, changed.commitMessage(), unit.author(), trailers(unit)));
        if (!(commit instanceof CommitResult.Committed committed)) {
            List<String> created = changed.files().stream()
                    .filter(file -> file.change() == FileChange.Change.CREATED)
                    .map(FileChange::path)
                    .toList();
            if (!created.isEmpty()) { // a new file cannot be "no change": git left it unstaged (an ignore rule)
                repo.restore(paths);
                return new Step(
                        new Outcome.Failed(
                                SafePaths.INVALID_PATH,
                                created + " written but not committed: git's ignore rules (the KB's .gitignore, its"
                                        + " info/exclude or core.excludesFile) exclude them; nothing was committed",
                                rejections),
                        null);
            }
            return new Step(new Outcome.Unchanged(rejections), null);
        }
        listener.reached(Phase.COMMITTED, unit.id());
        return new Step(new Outcome.Unchanged(rejections), committed);
    }

    /**
     * The commit on the remote of each unit that has one, by unit id: its own, else the first of its earlier units'
     * that has one (a retry's failed job that landed, or a job further up its retry chain), found in one walk.
     */
    private static Map<String, String> published(KbRepository repo, List<? extends WorkUnit> units) {
        List<String> ids = new ArrayList<>();
        units.forEach(unit -> {
            ids.add(unit.id());
            ids.addAll(unit.earlier());
        });
        Map<String, String> found = repo.findCommitsWithTrailer(Trailers.JOB, ids, bound(units));
        Map<String, String> published = new HashMap<>();
        for (WorkUnit unit : units) {
            Optional.ofNullable(found.get(unit.id()))
                    .or(() -> unit.earlier().stream()
                            .map(found::get)
                            .filter(commit -> commit != null)
                            .findFirst())
                    .ifPresent(commit -> published.put(unit.id(), commit));
        }
        return published;
    }

    /**
     * The exactly-once search's bound: it stops below the smallest first token of the units (fenced units only commit
     * under their own grants), however many later commits of the KB come first, or after
     * {@link TrailerBound#DEFAULT_CAP} commits in a row without the KB's fence; unfenced units (or units of several
     * KBs): after {@link TrailerBound#DEFAULT_CAP} commits.
     */
    private static TrailerBound bound(List<? extends WorkUnit> units) {
        List<Fencing> fencings =
                units.stream().map(WorkUnit::fencing).flatMap(Optional::stream).toList();
        if (fencings.size() < units.size()
                || fencings.stream().map(Fencing::kb).distinct().count() != 1) {
            return TrailerBound.capped(TrailerBound.DEFAULT_CAP);
        }
        long min = fencings.stream().mapToLong(Fencing::firstToken).min().orElseThrow();
        return new TrailerBound(fencings.get(0).kb(), min, TrailerBound.DEFAULT_CAP);
    }

    /** A unit's state after landing: its outcome so far and, if it made one, its unpushed commit. */
    private record Step(Outcome outcome, CommitResult.Committed commit) {}

    /**
     * Marks the checkout clean after the push landed. Writing the batch's index back can fail (a full disk): the push
     * stands, and the next sync resets the checkout fully instead of trusting it.
     */
    private static void markClean(CycleBatch batch) {
        try {
            batch.checkout().pushedCleanly(batch.done().rounds == 0);
        } catch (RuntimeException e) {
            log.warn(
                    "pushed {}, but the checkout could not be marked clean ({}); the next sync resets it",
                    batch.first(),
                    e.getMessage());
            batch.checkout().distrust();
        }
    }

    private List<Outcome> push(CycleBatch batch) {
        int rejections = batch.done().rejections;
        PushResult push;
        try {
            push = batch.git().time(batch.repo()::push);
        } catch (CredentialsUnavailableException e) {
            return batch.committedAre(
                    new Outcome.Failed(GitFailureCodes.CREDENTIALS_UNAVAILABLE, e.getMessage(), rejections));
        } catch (GitException e) {
            log.warn("push of {} failed ({}); checking the remote before trying again", batch.first(), e.getMessage());
            Outcome.Failed failed = new Outcome.Failed("PUSH_FAILED", e.getMessage(), rejections);
            batch.done().uncertain = new CycleRounds.Uncertain(batch, failed);
            if (e instanceof RemoteUnavailableException unavailable) { // waited out without taking a round
                if (batch.done().outage.waitAgain(batch.units().get(0), unavailable)) {
                    return attempt(batch.checkout(), batch.units(), batch.git(), batch.done());
                }
                Optional<Outcome.Failed> gaveUp = batch.done().outage.failure(e, rejections);
                if (gaveUp.isPresent()) { // the pack may have gone through before the connection failed
                    return batch.committedAre(CycleRounds.uncertain(failed, gaveUp.get()));
                }
            }
            return again(batch, failed);
        }
        batch.done().outage.answered(batch.units().get(0));
        if (push instanceof PushResult.Pushed) {
            batch.commits()
                    .forEach((i, c) ->
                            batch.outcomes().set(i, new Outcome.Published(c.commitId(), c.changes(), rejections)));
            markClean(batch); // what landed is published whatever befalls the checkout after
            batch.commits()
                    .forEach((i, c) ->
                            listener.reached(Phase.PUSHED, batch.units().get(i).id()));
            return batch.outcomes();
        }
        if (!(push instanceof PushResult.RejectedNonFastForward)) {
            return batch.committedAre(new Outcome.Failed(GitFailureCodes.ofPush(push), push.message(), rejections));
        }
        batch.done().rejections++;
        batch.done().behind |= batch.done().rounds == 0;
        batch.checkout().pushRejected();
        log.info("push of {} rejected (non-fast-forward); re-applying on the new remote head", batch.first());
        return again(
                batch,
                new Outcome.Failed(
                        "PUSH_REJECTED",
                        "push rejected " + batch.done().rejections + " times (someone else kept pushing first)",
                        batch.done().rejections));
    }

    /** Starts over from the sync (which also finds a push that landed after all), or gives up with {@code failure}. */
    private List<Outcome> again(CycleBatch batch, Outcome.Failed failure) {
        batch.done().rounds++;
        if (batch.done().rounds > retry.maxRetries()) {
            return "PUSH_FAILED".equals(failure.error().code())
                    ? landedAfterAll(batch, failure)
                    : batch.committedAre(failure);
        }
        retry.pause(batch.done().rounds);
        return attempt(batch.checkout(), batch.units(), batch.git(), batch.done());
    }

    /**
     * The last push failed in transport: its commits may have landed all the same. Fetches and looks for each committed
     * unit's {@code Kbsync-Job} commit on the remote: found, it is published; not found (or the remote unreachable),
     * {@code failure}.
     */
    private List<Outcome> landedAfterAll(CycleBatch batch, Outcome.Failed failure) {
        List<String> ids = batch.commits().keySet().stream()
                .map(i -> batch.units().get(i).id())
                .toList();
        Map<String, String> landed;
        try {
            KbRepository repo = batch.git().time(batch.checkout()::syncToRemote);
            landed = batch.git().time(() -> repo.findCommitsWithTrailer(Trailers.JOB, ids, bound(batch.units())));
        } catch (GitException e) {
            log.warn("could not check whether the push of {} landed: {}", batch.first(), e.getMessage());
            return batch.committedAre(CycleRounds.uncertain(failure));
        }
        batch.commits().forEach((i, c) -> {
            String id = batch.units().get(i).id();
            if (landed.containsKey(id)) {
                log.info("push of {} failed in transport but landed as {}", id, landed.get(id));
                listener.reached(Phase.PUSHED, id);
                batch.outcomes().set(i, new Outcome.Published(landed.get(id), c.changes(), failure.pushRejections()));
            } else {
                batch.outcomes().set(i, failure);
            }
        });
        return batch.outcomes();
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
        trailers.put(Trailers.JOB, unit.id());
        unit.fencing().ifPresent(f -> {
            trailers.put(Trailers.FENCE, Long.toString(f.token()));
            trailers.put(Trailers.KB, f.kb());
        });
        trailers.putAll(unit.trailers());
        return trailers;
    }
}
