package dev.kbsync.git;

import java.util.function.Supplier;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

/** Runs an operation with local changes (untracked included) stashed away, restoring them afterwards. */
final class Stash {
    private Stash() {}

    static PullResult around(Checkout checkout, Supplier<PullResult> operation) throws GitAPIException {
        if (checkout.git().status().call().isClean()) {
            return operation.get();
        }
        RevCommit stash = checkout.git()
                .stashCreate()
                .setIncludeUntracked(true)
                .setWorkingDirectoryMessage("kbsync: local changes before pull")
                .call();
        if (stash == null) {
            return operation.get();
        }
        PullResult result;
        try {
            result = operation.get();
        } catch (RuntimeException e) {
            if (!restore(checkout, stash)) {
                throw new GitException(e.getMessage() + "; local changes are kept in the stash", e);
            }
            throw e;
        }
        return restore(checkout, stash)
                ? result
                : new PullResult.ChangesLeftInStash(
                        result, "stash@{0} " + stash.abbreviate(10).name());
    }

    private static boolean restore(Checkout checkout, RevCommit stash) throws GitAPIException {
        try {
            checkout.git()
                    .stashApply()
                    .setStashRef(stash.name())
                    .setRestoreUntracked(true)
                    .call();
            checkout.git().stashDrop().setStashRef(0).call();
            return true;
        } catch (GitAPIException | RuntimeException e) {
            checkout.git().reset().setMode(ResetCommand.ResetType.HARD).call();
            return false;
        }
    }
}
