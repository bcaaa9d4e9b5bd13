package dev.kbsync.git;

import dev.kbsync.api.Trailers;
import java.util.List;
import java.util.OptionalLong;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Reads a commit's fencing token for one KB: its {@code Kbsync-Fence} trailer, counted for {@code kb} when the commit's
 * {@code Kbsync-Kb} trailer names that KB or is absent (commits written before the KB trailer existed). Empty for a
 * commit without a (well-formed) fence, or a fence of another KB sharing the branch.
 */
final class Fences {
    private Fences() {}

    static OptionalLong of(RevCommit commit, String kb) {
        List<String> kbs = commit.getFooterLines(Trailers.KB);
        if (kb != null && !kbs.isEmpty() && !kbs.contains(kb)) {
            return OptionalLong.empty();
        }
        List<String> fences = commit.getFooterLines(Trailers.FENCE);
        if (fences.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(fences.get(fences.size() - 1).strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
