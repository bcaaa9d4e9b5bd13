package dev.kbsync.cli;

import dev.kbsync.api.Trailers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/** Reads a bare repository's branch history oldest first, with kbsync's trailers: the audit trail of a KB. */
final class RemoteLog {
    /** One commit: id, author, subject, its {@code Kbsync-Job} and {@code Kbsync-Fence} trailers (null if none). */
    record Entry(String id, String author, String subject, String job, Long fence, int parents) {
        String line() {
            return id.substring(0, 8) + (fence == null ? "          " : String.format(" fence=%-3d", fence))
                    + (job == null ? "" : " job=" + job) + "  " + author + ": " + subject;
        }
    }

    private RemoteLog() {}

    static List<Entry> read(Path bare, String branch) throws IOException {
        try (Repository repo = new FileRepositoryBuilder()
                        .setGitDir(bare.toFile())
                        .setMustExist(true)
                        .build();
                RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(repo.resolve("refs/heads/" + branch)));
            List<Entry> entries = new ArrayList<>();
            for (RevCommit c : walk) {
                entries.add(new Entry(
                        c.getName(),
                        c.getAuthorIdent().getName(),
                        c.getShortMessage(),
                        first(c.getFooterLines(Trailers.JOB)),
                        fence(first(c.getFooterLines(Trailers.FENCE))),
                        c.getParentCount()));
            }
            Collections.reverse(entries);
            return entries;
        }
    }

    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0).trim();
    }

    private static Long fence(String value) {
        return value == null ? null : Long.valueOf(value);
    }
}
