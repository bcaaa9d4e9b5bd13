package dev.kbsync.git;

import java.io.IOException;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/** Walks back from origin/branch looking for a commit with a given trailer (the exactly-once check). */
final class TrailerSearch {
    private final Checkout checkout;

    TrailerSearch(Checkout checkout) {
        this.checkout = checkout;
    }

    Optional<String> find(String key, String value, int maxCommits) {
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            ObjectId start = checkout.hasRemote()
                    ? checkout.resolve(checkout.remoteRef())
                    : checkout.resolve(checkout.localRef());
            if (start == null) {
                return Optional.empty();
            }
            walk.markStart(walk.parseCommit(start));
            int seen = 0;
            for (RevCommit commit : walk) {
                if (maxCommits > 0 && seen++ >= maxCommits) {
                    break;
                }
                if (commit.getFooterLines(key).contains(value)) {
                    return Optional.of(commit.name());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw GitFailures.wrap("log", e);
        }
    }
}
