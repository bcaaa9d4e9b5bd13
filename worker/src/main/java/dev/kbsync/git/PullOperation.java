package dev.kbsync.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.RebaseCommand;
import org.eclipse.jgit.api.RebaseResult;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;

/** fetch + fast-forward or rebase onto origin/branch, keeping local changes; never leaves a conflicted tree. */
final class PullOperation {
    /** Every branch of origin into refs/remotes/origin/*, as a clone sets it up. */
    static final String FETCH_SPEC = "+refs/heads/*:refs/remotes/" + Checkout.REMOTE + "/*";

    private final Checkout checkout;
    private final PushOperation push;

    PullOperation(Checkout checkout, PushOperation push) {
        this.checkout = checkout;
        this.push = push;
    }

    PullResult pull() {
        try {
            if (!checkout.hasRemote()) {
                return new PullResult.NoRemote(new ArrayList<>(checkout.repo().getRemoteNames()));
            }
            String full = checkout.repo().getFullBranch();
            if (full == null || !full.startsWith("refs/heads/")) {
                return new PullResult.DetachedHead(String.valueOf(full));
            }
            fetch(checkout);
            ObjectId remote = checkout.resolve(checkout.remoteRef());
            ObjectId local = checkout.resolve("HEAD");
            if (remote == null) {
                return local == null ? new PullResult.UpToDate() : createRemoteBranch();
            }
            if (local == null) {
                adopt(checkout, remote);
                return new PullResult.FastForwarded(remote.name());
            }
            return Stash.around(checkout, this::rebase);
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw e instanceof GitException ge ? ge : GitFailures.wrap("pull", e);
        }
    }

    static FetchResult fetch(Checkout checkout) throws GitAPIException {
        return checkout.transport(
                        checkout.git().fetch().setRemote(Checkout.REMOTE).setRefSpecs(new RefSpec(FETCH_SPEC)))
                .setRemoveDeletedRefs(true)
                .call();
    }

    private PullResult createRemoteBranch() {
        PushResult result = push.push();
        if (result instanceof PushResult.Pushed) {
            return new PullResult.RemoteBranchCreated(checkout.branch());
        }
        throw new GitException("Git error during pull: could not create the remote branch: " + result.message());
    }

    /** Puts the branch (without commits of its own) on {@code commit} and the work tree with it. */
    static void adopt(Checkout checkout, ObjectId commit) throws IOException, GitAPIException {
        RefUpdate update = checkout.repo().updateRef(checkout.localRef());
        update.setNewObjectId(commit);
        update.update();
        checkout.git()
                .reset()
                .setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD)
                .call();
    }

    private PullResult rebase() {
        try {
            int ahead = countAhead();
            RebaseResult result =
                    checkout.git().rebase().setUpstream(checkout.remoteRef()).call();
            String head = checkout.resolve("HEAD").name();
            return switch (result.getStatus()) {
                case UP_TO_DATE -> new PullResult.UpToDate();
                case FAST_FORWARD -> new PullResult.FastForwarded(head);
                case OK -> new PullResult.Rebased(head, ahead);
                case STOPPED, CONFLICTS -> abort(result);
                default -> throw new GitException("Git error during pull: rebase ended " + result.getStatus());
            };
        } catch (GitAPIException | IOException | JGitInternalException e) {
            throw GitFailures.wrap("pull", e);
        }
    }

    private PullResult abort(RebaseResult result) throws GitAPIException {
        List<String> paths = result.getConflicts() != null
                ? result.getConflicts()
                : new ArrayList<>(checkout.git().status().call().getConflicting());
        checkout.git().rebase().setOperation(RebaseCommand.Operation.ABORT).call();
        return new PullResult.MergeConflict(List.copyOf(paths));
    }

    private int countAhead() throws IOException {
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            walk.markStart(walk.parseCommit(checkout.resolve("HEAD")));
            walk.markUninteresting(walk.parseCommit(checkout.resolve(checkout.remoteRef())));
            int n = 0;
            for (var ignored : walk) {
                n++;
            }
            return n;
        }
    }
}
