package dev.kbsync.git;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteConfig;
import org.eclipse.jgit.transport.URIish;

/**
 * A clone onto the KB's branch, whatever the remote's HEAD names (a branch that does not exist, or another one): init
 * with HEAD on the branch, fetch every branch, then check out origin/branch. A branch the remote does not have yet
 * starts at the remote's default branch, or unborn when there is none (an empty remote, a dangling HEAD).
 */
final class BranchClone {
    private BranchClone() {}

    static Git into(Path dir, String url, String branch, GitAuth auth)
            throws GitAPIException, IOException, URISyntaxException {
        Git git = Git.init().setInitialBranch(branch).setDirectory(dir.toFile()).call();
        try {
            addOrigin(git.getRepository().getConfig(), url);
            Checkout checkout = new Checkout(git, branch, auth);
            ObjectId start = startPoint(checkout, PullOperation.fetch(checkout));
            if (start != null) {
                PullOperation.adopt(checkout, start);
            }
            return git;
        } catch (GitAPIException | IOException | URISyntaxException | RuntimeException e) {
            git.close();
            throw e;
        }
    }

    private static void addOrigin(StoredConfig config, String url) throws IOException, URISyntaxException {
        RemoteConfig origin = new RemoteConfig(config, Checkout.REMOTE);
        origin.addURI(new URIish(url));
        origin.addFetchRefSpec(new RefSpec(PullOperation.FETCH_SPEC));
        origin.update(config);
        config.save();
    }

    private static ObjectId startPoint(Checkout checkout, FetchResult fetched) throws IOException {
        ObjectId tracked = checkout.resolve(checkout.remoteRef());
        if (tracked != null) {
            return tracked;
        }
        Ref head = fetched.getAdvertisedRef(Constants.HEAD);
        boolean fetchedHead = head != null
                && head.getObjectId() != null
                && checkout.repo().getObjectDatabase().has(head.getObjectId());
        return fetchedHead ? head.getObjectId() : null;
    }
}
