package dev.kbsync.cli.stack;

import dev.kbsync.git.Author;
import dev.kbsync.git.CommitResult;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.PushResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo KB's "remote": a local bare repository with a README on {@code main}, created once. The workers push into
 * it in-process, so a {@code kill -9} in the middle of a push can leave a git lock file in it (e.g.
 * {@code refs/heads/main.lock}), which would fail every later push.
 */
final class DemoRemote {
    private static final Logger log = LoggerFactory.getLogger(DemoRemote.class);

    private DemoRemote() {}

    /**
     * Creates the remote if missing. {@code owned}: this process owns the data directory, so every earlier writer of
     * the remote is dead and lock files left in it are stale: they are removed.
     */
    static Path ensure(Path bare, Path scratch, boolean owned) {
        if (Files.isDirectory(bare.resolve("refs"))) {
            if (owned) {
                removeStaleLocks(bare);
            }
            noGcOnReceive(bare); // remotes made by earlier versions too
            return bare;
        }
        try {
            Files.createDirectories(bare);
            try (Git git = Git.init()
                    .setBare(true)
                    .setInitialBranch("main")
                    .setDirectory(bare.toFile())
                    .call()) {
                git.getRepository().getConfig().setBoolean("receive", null, "denyNonFastForwards", true);
                git.getRepository().getConfig().save();
            }
            noGcOnReceive(bare);
            seed(bare, Files.createTempDirectory(Files.createDirectories(scratch), "seed"));
            return bare;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo KB at " + bare, e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot create the demo KB at " + bare + ": " + e.getMessage(), e);
        }
    }

    /**
     * No gc by JGit's receive after each push into the remote (it repacks everything, in the pushing worker's JVM, a
     * cost that grows with the KB): {@link RemoteHousekeeping} keeps the remote compact on a budget instead, and the
     * packs its repack replaces go at once (a reader that still lists one looks again).
     */
    private static void noGcOnReceive(Path bare) {
        try (Git git = Git.open(bare.toFile())) {
            var config = git.getRepository().getConfig();
            if (config.getBoolean("receive", null, "autogc", true)
                    || !"now".equals(config.getString("gc", null, "prunePackExpire"))) {
                config.setBoolean("receive", null, "autogc", false);
                config.setString("gc", null, "prunePackExpire", "now");
                config.save();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure the demo KB at " + bare, e);
        }
    }

    private static void removeStaleLocks(Path bare) {
        try (Stream<Path> files = Files.walk(bare)) {
            for (Path lock : files.filter(f -> f.getFileName().toString().endsWith(".lock"))
                    .toList()) {
                Files.delete(lock);
                log.warn("removed {}, left in the demo KB by a process that died while writing it", lock);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + bare, e);
        }
    }

    private static void seed(Path bare, Path checkout) throws IOException {
        try (KbRepository repo = KbRepository.cloneOrOpen(bare.toString(), "main", checkout, GitAuth.NONE)) {
            Files.writeString(
                    checkout.resolve("README.md"),
                    "# demo KB\n\nNotes written through kbsync land here, one commit per note.\n");
            if (!(repo.commit("Create the demo KB", new Author("kbsync", "kbsync@localhost"), Map.of())
                    instanceof CommitResult.Committed)) {
                throw new IllegalStateException("nothing to commit in the demo KB seed");
            }
            PushResult pushed = repo.push();
            if (!(pushed instanceof PushResult.Pushed)) {
                throw new IllegalStateException("cannot seed the demo KB: " + pushed.message());
            }
        }
    }
}
