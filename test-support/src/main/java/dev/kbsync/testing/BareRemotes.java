package dev.kbsync.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.RefSpec;

/** Bare git repositories as remotes: HEAD naming any branch (existing or not), branches pushed one commit at a time. */
public final class BareRemotes {
    private BareRemotes() {}

    /** A bare repository at {@code dir} whose HEAD names {@code head}, as {@code git init --bare} leaves it. */
    public static Path init(Path dir, String head) throws GitAPIException {
        Git.init()
                .setBare(true)
                .setInitialBranch(head)
                .setDirectory(dir.toFile())
                .call()
                .close();
        return dir;
    }

    /** Pushes a commit of README.md holding {@code content}, on a history of its own, as {@code branch}; its id. */
    public static String pushCommit(Path remote, String branch, String content) throws IOException, GitAPIException {
        Path scratch = Files.createTempDirectory(remote.getParent(), "scratch");
        try (Git git = Git.init()
                .setInitialBranch(branch)
                .setDirectory(scratch.toFile())
                .call()) {
            Files.writeString(scratch.resolve("README.md"), content);
            git.add().addFilepattern("README.md").call();
            String commit = git.commit()
                    .setMessage("Seed " + branch)
                    .setAuthor("Ada", "ada@example.org")
                    .setCommitter("Ada", "ada@example.org")
                    .call()
                    .name();
            git.push()
                    .setRemote(remote.toString())
                    .setRefSpecs(new RefSpec(Constants.R_HEADS + branch + ":" + Constants.R_HEADS + branch))
                    .call();
            return commit;
        }
    }

    /** The branches of the repository at {@code dir} (bare or a work tree) and their commit ids, by ref name. */
    public static Map<String, String> heads(Path dir) throws IOException {
        try (Git git = Git.open(dir.toFile())) {
            Map<String, String> heads = new TreeMap<>();
            for (Ref ref : git.getRepository().getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                heads.put(ref.getName(), ref.getObjectId().name());
            }
            return heads;
        }
    }
}
