package dev.kbsync.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;

/** One-time preparation of a checkout: gc settings, excluded lock files, credential-free origin, the branch. */
final class RepoSetup {
    /** Lock files kbsync (and the original bot) keep in the work tree; never committed. */
    static final List<String> EXCLUDED = List.of("/.kb_operations.lock", ".kbsync*.lock");

    private RepoSetup() {}

    static void configureForLongRunningUse(Repository repo) throws IOException {
        StoredConfig config = repo.getConfig();
        config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTO, 0);
        config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTOPACKLIMIT, 0);
        config.setBoolean(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, false);
        // maintain() runs under the KB lock, so replaced packs can go at once (default keeps them an hour).
        config.setString(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_PRUNEPACKEXPIRE, "now");
        // A checkout never serves fetches. With a bitmap, every push first walked all commits made since the last
        // maintenance to extend the bitmap to origin/branch: that push cost grew with the commits since maintenance
        // times the size of the trees they changed. Without one, a push walks only its own commits and their base.
        config.setBoolean(ConfigConstants.CONFIG_PACK_SECTION, null, ConfigConstants.CONFIG_KEY_BUILD_BITMAPS, false);
        config.save();
        excludeLockFiles(repo.getDirectory().toPath().resolve("info").resolve("exclude"));
    }

    private static void excludeLockFiles(Path exclude) throws IOException {
        List<String> lines = Files.exists(exclude) ? Files.readAllLines(exclude) : new ArrayList<>();
        List<String> missing = EXCLUDED.stream().filter(l -> !lines.contains(l)).toList();
        if (!missing.isEmpty()) {
            Files.createDirectories(exclude.getParent());
            lines.addAll(missing);
            Files.write(exclude, lines, StandardCharsets.UTF_8);
        }
    }

    /** Removes a password left in origin's URL (the original bot wrote tokens there) and returns it. */
    static Optional<GitCredentials> stripCredentialsFromOrigin(Repository repo) throws IOException {
        StoredConfig config = repo.getConfig();
        String url = config.getString("remote", Checkout.REMOTE, "url");
        if (url == null) {
            return Optional.empty();
        }
        RemoteUrl parsed = RemoteUrl.parse(url);
        Optional<GitCredentials> embedded = parsed.embeddedCredentials();
        if (embedded.isPresent()) {
            config.setString("remote", Checkout.REMOTE, "url", parsed.withoutCredentials());
            config.save();
        }
        return embedded;
    }

    /** Puts HEAD on the configured branch: links an unborn HEAD, checks out or creates the branch otherwise. */
    static void ensureBranch(Checkout checkout) throws IOException, GitAPIException {
        Repository repo = checkout.repo();
        String full = repo.getFullBranch();
        if (checkout.localRef().equals(full) || (full != null && !full.startsWith("refs/heads/"))) {
            return; // on the branch already, or detached: pull refuses, resetToRemote repairs
        }
        if (checkout.resolve("HEAD") == null) {
            RefUpdate link = repo.updateRef("HEAD");
            link.link(checkout.localRef());
            return;
        }
        if (!checkout.git().status().call().isClean()) {
            throw new GitException("Cannot switch to branch '" + checkout.branch() + "': uncommitted changes");
        }
        Ref local = repo.exactRef(checkout.localRef());
        Ref remote = repo.exactRef(checkout.remoteRef());
        var cmd = checkout.git().checkout().setName(checkout.branch());
        if (local == null) {
            cmd.setCreateBranch(true).setStartPoint(remote == null ? "HEAD" : checkout.remoteRef());
        }
        cmd.call();
    }
}
