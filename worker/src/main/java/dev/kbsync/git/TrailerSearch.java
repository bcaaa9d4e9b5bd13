package dev.kbsync.git;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Walks back from origin/branch looking for commits with given trailer values (the exactly-once check): one walk for
 * all the values of a batch, which ends when every value was found or after {@code maxCommits} commits.
 */
final class TrailerSearch {
    private final Checkout checkout;

    TrailerSearch(Checkout checkout) {
        this.checkout = checkout;
    }

    /** The newest commit (within {@code maxCommits}; 0 = no limit) carrying {@code key: value}, per value found. */
    Map<String, String> find(String key, Collection<String> values, int maxCommits) {
        Map<String, String> found = new HashMap<>();
        Set<String> wanted = new HashSet<>(values);
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            ObjectId start = checkout.hasRemote()
                    ? checkout.resolve(checkout.remoteRef())
                    : checkout.resolve(checkout.localRef());
            if (start == null || wanted.isEmpty()) {
                return found;
            }
            walk.markStart(walk.parseCommit(start));
            int seen = 0;
            for (RevCommit commit : walk) {
                if (maxCommits > 0 && seen++ >= maxCommits) {
                    break;
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
        } catch (IOException e) {
            throw GitFailures.wrap("log", e);
        }
    }
}
