package dev.kbsync.git;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Ref;

/**
 * A read-only look at a remote, what {@code git ls-remote --heads} shows: through the same URL handling (credentials
 * in the URL split off), transport and credentials as a worker's clone, fetch and push, so it answers "could a worker
 * reach this KB?" without touching a checkout.
 */
public final class RemoteProbe {
    private static final String HEADS = "refs/heads/";

    private RemoteProbe() {}

    /** What the remote said about a branch. */
    public sealed interface Result permits Found, NoBranch, Failed {}

    /** The branch exists at {@code commit}. */
    public record Found(String commit) implements Result {}

    /** The remote answered, but has no such branch; {@code branches} are the ones it has. */
    public record NoBranch(List<String> branches) implements Result {}

    /** The remote could not be read (not found, network, authentication); the message is masked. */
    public record Failed(String message) implements Result {}

    /** Lists the remote's branches within {@code timeout} and looks for {@code branch}. */
    public static Result branch(String remoteUrl, String branch, GitAuth auth, Duration timeout) {
        try {
            RemoteUrl url = RemoteUrl.parse(remoteUrl);
            String stored = url.withoutCredentials();
            LsRemoteCommand list = Checkout.authenticate(
                            Git.lsRemoteRepository().setRemote(stored).setHeads(true),
                            stored,
                            url.embeddedCredentials()
                                    .<GitAuth>map(GitAuth::fixed)
                                    .orElse(auth))
                    .setTimeout((int) Math.max(1, timeout.toSeconds()));
            Collection<Ref> heads = list.call();
            return heads.stream()
                    .filter(ref -> ref.getName().equals(HEADS + branch))
                    .findFirst()
                    .<Result>map(ref -> new Found(ref.getObjectId().name()))
                    .orElseGet(() -> new NoBranch(heads.stream()
                            .map(ref -> ref.getName().substring(HEADS.length()))
                            .sorted()
                            .toList()));
        } catch (GitException e) {
            return new Failed(e.getMessage());
        } catch (GitAPIException | RuntimeException e) {
            return new Failed(GitFailures.wrap("ls-remote", e).getMessage());
        }
    }
}
