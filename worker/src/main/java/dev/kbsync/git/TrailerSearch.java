package dev.kbsync.git;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevWalkException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Walks back from origin/branch looking for commits with given trailer values (the exactly-once check): one walk for
 * all the values of a batch, which ends when every value was found, at the first commit fenced below the bound's fence,
 * or at the bound's cap (see {@link TrailerBound}: with a fence, the cap counts only commits in a row without the KB's
 * fence, however many fenced ones the walk passes). Also finds the newest fence of a KB on the branch (the fencing check before a publish). A
 * missing or corrupt commit on the way is a {@link CheckoutDamagedException}: the history cannot be told without it.
 */
final class TrailerSearch {
    private final Checkout checkout;

    TrailerSearch(Checkout checkout) {
        this.checkout = checkout;
    }

    /** The newest commit (within {@code maxCommits}; 0 = no limit) carrying {@code key: value}, per value found. */
    Map<String, String> find(String key, Collection<String> values, int maxCommits) {
        return find(key, values, new TrailerBound(null, 0, maxCommits <= 0 ? Integer.MAX_VALUE : maxCommits));
    }

    /** The newest commit within {@code bound} carrying {@code key: value}, per value found. */
    Map<String, String> find(String key, Collection<String> values, TrailerBound bound) {
        Map<String, String> found = new HashMap<>();
        Set<String> wanted = new HashSet<>(values);
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            if (wanted.isEmpty() || !start(walk)) {
                return found;
            }
            int counted = 0; // commits seen (no fence bound), or seen in a row without the KB's fence (a fence bound)
            for (RevCommit commit : walk) {
                if (bound.minFence() == 0) {
                    if (counted++ >= bound.maxCommits()) {
                        break;
                    }
                } else {
                    OptionalLong fence = Fences.of(commit, bound.kb());
                    if (fence.isPresent() && fence.getAsLong() < bound.minFence()) {
                        break; // older than every commit the searched units can have made
                    }
                    counted = fence.isPresent() ? 0 : counted + 1;
                    if (counted > bound.maxCommits()) {
                        break;
                    }
                }
                for (String value : commit.getFooterLines(key)) {
                    if (wanted.remove(value)) {
                        found.put(value, commit.name());
                    }
                }
                if (wanted.isEmpty()) {
                    break;
                }
            }
            return found;
        } catch (IOException | RevWalkException e) {
            throw failure(e);
        }
    }

    /** The fence of the newest commit on origin/branch fenced for {@code kb}, within {@code maxCommits}. */
    OptionalLong latestFence(String kb, int maxCommits) {
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            if (!start(walk)) {
                return OptionalLong.empty();
            }
            int seen = 0;
            for (RevCommit commit : walk) {
                if (seen++ >= maxCommits) {
                    break;
                }
                OptionalLong fence = Fences.of(commit, kb);
                if (fence.isPresent()) {
                    return fence;
                }
            }
            return OptionalLong.empty();
        } catch (IOException | RevWalkException e) {
            throw failure(e);
        }
    }

    /** A missing or corrupt object (also as the cause of a walk's failure) damages the checkout; anything else fails. */
    private static GitException failure(Exception e) {
        Throwable cause = e instanceof RevWalkException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof MissingObjectException || cause instanceof CorruptObjectException) {
            return new CheckoutDamagedException(
                    "Git error during log: the checkout's history is damaged (" + cause.getMessage() + ")", e);
        }
        return GitFailures.wrap("log", cause instanceof Exception ex ? ex : e);
    }

    private boolean start(RevWalk walk) throws IOException {
        ObjectId start =
                checkout.hasRemote() ? checkout.resolve(checkout.remoteRef()) : checkout.resolve(checkout.localRef());
        if (start == null) {
            return false;
        }
        walk.markStart(walk.parseCommit(start));
        return true;
    }
}
